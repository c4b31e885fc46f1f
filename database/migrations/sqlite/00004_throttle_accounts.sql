-- Sign-in throttles per account and client address. Each row names the account it counts for (by
-- the account's hashed key, as throttle_key hashes everything), so an admin can see and clear all of
-- an account's rows at once; and a row can remember that its address signed in to the account
-- successfully, which exempts that address from the account's own gentle delay.
-- Times are Unix seconds. Kept to SQL that PostgreSQL also accepts.

-- +goose Up
-- '' for a client address's row, which counts for no account.
ALTER TABLE login_throttles ADD COLUMN account_key TEXT NOT NULL DEFAULT '';
-- 0 while the row marks no address the account signs in from.
ALTER TABLE login_throttles ADD COLUMN known_until BIGINT NOT NULL DEFAULT 0;
-- Account rows written before this migration count for their own account.
UPDATE login_throttles SET account_key = throttle_key WHERE throttle_key LIKE 'account:%';
CREATE INDEX login_throttles_account ON login_throttles (account_key);

-- +goose Down
DROP INDEX login_throttles_account;
ALTER TABLE login_throttles DROP COLUMN known_until;
ALTER TABLE login_throttles DROP COLUMN account_key;
