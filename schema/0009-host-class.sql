-- mmstorm schema v9: a host's class for comparisons.  compare,
-- regressions and verdict never pool runs of different host classes;
-- NULL is the machine's own identity (hostname and machine-id), a name
-- (`mmstorm hosts --class NAME HOST`) pools identical machines.
ALTER TABLE hosts ADD COLUMN class TEXT;
