-- Placeholder on branch 'nightly' only, so that 0011 has no gap here:
-- the real 0010 comes from another branch.  Drop this file at the merge.
SELECT 1;
