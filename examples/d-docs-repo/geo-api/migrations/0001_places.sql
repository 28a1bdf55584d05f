CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE places (
    id       bigint PRIMARY KEY,
    name     text NOT NULL,
    kind     text NOT NULL,
    geom     geometry(Point, 4326) NOT NULL
);
CREATE INDEX places_geom_idx ON places USING gist (geom);
