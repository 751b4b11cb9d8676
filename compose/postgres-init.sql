-- First start of the postgres container only (/docker-entrypoint-initdb.d): one database per service,
-- so no service can read another's tables; each service migrates its own schema at start.
CREATE DATABASE user_service;
CREATE DATABASE image_service;
CREATE DATABASE notification_service;
