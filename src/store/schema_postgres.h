/* The PostgreSQL schema, as numbered migrations (schema_postgres.c). */
#ifndef LW_SCHEMA_POSTGRES_H
#define LW_SCHEMA_POSTGRES_H

#include "store/db.h"

#define POSTGRES_NMIGRATIONS 1
extern const db_migration postgres_migrations[POSTGRES_NMIGRATIONS];

#endif
