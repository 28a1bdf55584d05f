CREATE SCHEMA IF NOT EXISTS checkout;
CREATE TABLE checkout.orders (
    id          uuid PRIMARY KEY,
    buyer_id    uuid NOT NULL,
    status      text NOT NULL,
    total_minor bigint NOT NULL,
    currency    char(3) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
