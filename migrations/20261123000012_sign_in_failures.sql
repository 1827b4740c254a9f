-- Failed sign-ins per email and per client address within a window, so that every
-- instance throttles brute force alike.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);
