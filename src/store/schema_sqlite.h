/* The SQLite schema, as numbered migrations (schema_sqlite.c). */
#ifndef LW_SCHEMA_SQLITE_H
#define LW_SCHEMA_SQLITE_H

#include "store/db.h"

#define SQLITE_NMIGRATIONS 1
extern const db_migration sqlite_migrations[SQLITE_NMIGRATIONS];

#endif
