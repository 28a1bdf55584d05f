CREATE SCHEMA IF NOT EXISTS inventory;
CREATE TABLE inventory.stock (
    sku       text NOT NULL,
    warehouse text NOT NULL,
    on_hand   integer NOT NULL CHECK (on_hand >= 0),
    PRIMARY KEY (sku, warehouse)
);
