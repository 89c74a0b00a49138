/*
 * The route table: every endpoint, who may call it, and a one-line summary.
 * http/ matches requests against it; the OpenAPI document (openapi.json) must
 * list exactly these routes (tests/api checks that).
 */
#include "api/api.h"

#define ADMIN LW_ROLES_ADMIN
#define ANYONE_SIGNED_IN LW_ROLES_ALL
#define PUBLIC 0u

const api_route api_routes[] = {
    {"GET", "/healthz", api_healthz, PUBLIC, API_NO_DB | API_NO_BODY,
     "Liveness and the state of the database"},
    {"GET", "/metrics", api_metrics, PUBLIC, API_NO_DB | API_NO_BODY,
     "Request counts and latency in Prometheus text format"},
    {"GET", "/api/v1/openapi.json", api_openapi, PUBLIC, API_NO_DB | API_NO_BODY,
     "This API described in OpenAPI 3.1"},
    {"POST", "/api/v1/session", api_session_create, PUBLIC, 0, "Sign in"},
    {"DELETE", "/api/v1/session", api_session_delete, ANYONE_SIGNED_IN, API_NO_BODY, "Sign out"},
    {"GET", "/api/v1/users/me", api_users_me, ANYONE_SIGNED_IN, API_NO_BODY, "Who am I"},
    {"GET", "/api/v1/users", api_users_list, ADMIN, API_NO_BODY, "List users"},
    {"POST", "/api/v1/users", api_users_create, ADMIN, 0, "Create a user"},
    {"GET", "/api/v1/users/{id}", api_users_get, ADMIN, API_NO_BODY, "One user"},
    {"PATCH", "/api/v1/users/{id}", api_users_update, ADMIN, 0,
     "Change a user's role, name, password, or deactivate them"},
    {"GET", "/api/v1/organisations", api_orgs_list, ADMIN, API_NO_BODY, "List organisations"},
    {"POST", "/api/v1/organisations", api_orgs_create, ADMIN, 0, "Create an organisation"},
    {"GET", "/api/v1/organisations/{id}", api_orgs_get, ADMIN, API_NO_BODY, "One organisation"},
    {"PATCH", "/api/v1/organisations/{id}", api_orgs_update, ADMIN, 0,
     "Rename, change kind, or deactivate an organisation"},
    {"GET", "/api/v1/audit", api_audit_list, ADMIN, API_NO_BODY, "Search the audit log"},
};

const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
