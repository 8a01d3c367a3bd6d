-- Small settings of the sandbox, such as how far its clock was moved.
CREATE TABLE sandbox_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
