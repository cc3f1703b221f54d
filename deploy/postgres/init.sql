-- One database per service, plus the shared API-token database.
--
-- Run once by the postgres image's entrypoint (docker-entrypoint-initdb.d), as POSTGRES_USER,
-- and only when the data volume is empty: editing this file later changes nothing in an
-- existing deployment (create a new database by hand, see docs/deployment.md).
--
-- Tables are not created here: they belong to the code that uses them (shared/auth, for
-- instance, creates its tables if missing). No service reads another service's database;
-- snt_auth (API tokens and the access log of personal-level reads) is shared by all four.

CREATE DATABASE snt_ingest;
CREATE DATABASE snt_kpi;
CREATE DATABASE snt_flex;
CREATE DATABASE snt_alerts;
CREATE DATABASE snt_auth;

-- Nobody but the owner connects (the default lets every role connect to every database).
REVOKE ALL ON DATABASE snt_ingest, snt_kpi, snt_flex, snt_alerts, snt_auth FROM PUBLIC;
