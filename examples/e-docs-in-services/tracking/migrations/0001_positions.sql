CREATE TABLE positions (
    vehicle_id text        NOT NULL,
    ts         timestamptz NOT NULL,
    lat        double precision NOT NULL,
    lon        double precision NOT NULL,
    speed_kmh  real,
    PRIMARY KEY (vehicle_id, ts)
);
SELECT create_hypertable('positions', 'ts', chunk_time_interval => INTERVAL '1 day');
