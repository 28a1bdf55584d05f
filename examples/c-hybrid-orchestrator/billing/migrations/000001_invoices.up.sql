CREATE TABLE invoices (
    id           uuid PRIMARY KEY,
    merchant_id  uuid NOT NULL,
    period_start date NOT NULL,
    period_end   date NOT NULL,
    total_minor  bigint NOT NULL,
    currency     char(3) NOT NULL,
    issued_at    timestamptz
);
