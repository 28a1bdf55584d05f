-- +goose Up
CREATE TABLE products (
    sku         text PRIMARY KEY,
    title       text NOT NULL,
    category_id bigint NOT NULL,
    price_minor bigint NOT NULL,
    currency    char(3) NOT NULL
);

-- +goose Down
DROP TABLE products;
