/*
 * The route table: every endpoint, who may call it, and a one-line summary.
 * http/ matches requests against it; the OpenAPI document (openapi.json) must
 * list exactly these routes (tests/api checks that).
 */
#include "api/api.h"

#define ADMIN LW_ROLES_ADMIN
#define ANYONE_SIGNED_IN LW_ROLES_ALL
#define PUBLIC 0u
#define PROVIDERS_AND_ADMINS (LW_ROLE_BIT(LW_ROLE_PROVIDER) | LW_ROLES_ADMIN)
#define JR_REFERRERS (LW_ROLE_BIT(LW_ROLE_REFERRER) | LW_ROLE_BIT(LW_ROLE_CLINICIAN_PRESCRIBER))
#define JR_WORKERS (LW_ROLE_BIT(LW_ROLE_LINK_WORKER) | LW_ROLE_BIT(LW_ROLE_PEER_WORKER))
#define JR_CLINICIAN LW_ROLE_BIT(LW_ROLE_CLINICIAN_PRESCRIBER)
#define JR_PROVIDER LW_ROLE_BIT(LW_ROLE_PROVIDER)

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
    /* The community directory: search and editing for signed-in users, imports for
     * admins, and the public Open Referral UK API. */
    {"GET", "/api/v1/services", api_services_list, ANYONE_SIGNED_IN, API_NO_BODY,
     "Search the directory"},
    {"POST", "/api/v1/services", api_services_create, PROVIDERS_AND_ADMINS, 0,
     "Add a service to the directory"},
    {"GET", "/api/v1/services/{id}", api_services_get, ANYONE_SIGNED_IN, API_NO_BODY,
     "One service with linkwell's own fields"},
    {"PUT", "/api/v1/services/{id}", api_services_put, PROVIDERS_AND_ADMINS, 0,
     "Replace a service's details"},
    {"PATCH", "/api/v1/services/{id}", api_services_patch, PROVIDERS_AND_ADMINS, 0,
     "Change a service's capacity, status or details"},
    {"POST", "/api/v1/directory/imports", api_directory_import, ADMIN, 0,
     "Import an Open Referral UK directory"},
    {"GET", "/openreferral/", api_oruk_root, PUBLIC, API_NO_BODY,
     "Open Referral UK: about this API"},
    {"GET", "/openreferral/services", api_oruk_services, PUBLIC, API_NO_BODY,
     "Open Referral UK: search services"},
    {"GET", "/openreferral/services/{id}", api_oruk_service, PUBLIC, API_NO_BODY,
     "Open Referral UK: one service in full"},
    {"GET", "/openreferral/taxonomies", api_oruk_taxonomies, PUBLIC, API_NO_BODY,
     "Open Referral UK: taxonomies"},
    {"GET", "/openreferral/taxonomy_terms", api_oruk_taxonomy_terms, PUBLIC, API_NO_BODY,
     "Open Referral UK: taxonomy terms"},
    {"GET", "/openreferral/organizations", api_oruk_organizations, PUBLIC, API_NO_BODY,
     "Open Referral UK: organisations"},
    {"GET", "/openreferral/service_at_locations", api_oruk_service_at_locations, PUBLIC,
     API_NO_BODY, "Open Referral UK: services at locations"},
    /* From referral to closed loop. Roles here are the coarse gate; who sees which
     * record is decided by domain/referrals_access.c (another organisation's: 404). */
    {"POST", "/api/v1/referrals", api_referrals_create, JR_REFERRERS, 0, "Make a referral"},
    {"GET", "/api/v1/referrals", api_referrals_list, JR_REFERRERS | JR_WORKERS | ADMIN, API_NO_BODY,
     "List referrals"},
    {"GET", "/api/v1/referrals/overdue", api_referrals_overdue, JR_WORKERS | ADMIN, API_NO_BODY,
     "Referrals waiting too long for an answer"},
    {"GET", "/api/v1/referrals/{id}", api_referrals_get, JR_REFERRERS | JR_WORKERS | ADMIN,
     API_NO_BODY, "One referral, with its feedback"},
    {"POST", "/api/v1/referrals/{id}/status", api_referrals_status, JR_WORKERS | ADMIN, 0,
     "Accept, decline, progress or close a referral"},
    {"GET", "/api/v1/referrals/{id}/assignees", api_referrals_assignees, JR_WORKERS | ADMIN,
     API_NO_BODY, "Who could hold the case, fewest open cases first"},
    {"POST", "/api/v1/referrals/{id}/duplicate", api_referrals_duplicate, JR_WORKERS | ADMIN, 0,
     "Confirm or dismiss a possible duplicate person"},
    {"POST", "/api/v1/self-referrals", api_self_referrals_create, PUBLIC, 0,
     "Refer yourself to social prescribing"},
    {"GET", "/api/v1/people", api_people_list, JR_WORKERS | JR_CLINICIAN | ADMIN, API_NO_BODY,
     "List people"},
    {"GET", "/api/v1/people/{id}", api_people_get, JR_WORKERS | JR_CLINICIAN | ADMIN, API_NO_BODY,
     "One person"},
    {"PATCH", "/api/v1/people/{id}", api_people_update, JR_WORKERS | ADMIN, 0,
     "Change a person's details or preferences"},
    {"GET", "/api/v1/cases", api_cases_list, JR_WORKERS | ADMIN, API_NO_BODY,
     "A caseload: open cases, overdue first"},
    {"GET", "/api/v1/cases/{id}", api_cases_get, JR_WORKERS | ADMIN, API_NO_BODY,
     "One case with its contacts, needs, goals and plan"},
    {"PATCH", "/api/v1/cases/{id}", api_cases_update, JR_WORKERS | ADMIN, 0,
     "Change what matters, needs, support level or assignee"},
    {"POST", "/api/v1/cases/{id}/contacts", api_cases_contact_add, JR_WORKERS, 0,
     "Record a contact"},
    {"POST", "/api/v1/cases/{id}/goals", api_cases_goal_add, JR_WORKERS, 0, "Add a goal"},
    {"PATCH", "/api/v1/cases/{id}/goals/{goal_id}", api_cases_goal_update, JR_WORKERS, 0,
     "Change a goal"},
    {"POST", "/api/v1/cases/{id}/actions", api_cases_action_add, JR_WORKERS, 0,
     "Add a step to the action plan"},
    {"PATCH", "/api/v1/cases/{id}/actions/{action_id}", api_cases_action_update, JR_WORKERS, 0,
     "Change or tick off a step of the action plan"},
    {"PUT", "/api/v1/cases/{id}/preferences", api_cases_preferences, JR_WORKERS | ADMIN, 0,
     "Set what the person prefers, for matching"},
    {"POST", "/api/v1/prescriptions", api_rx_create, JR_WORKERS | JR_CLINICIAN, 0,
     "Make a social prescription"},
    {"GET", "/api/v1/prescriptions", api_rx_list, JR_WORKERS | JR_CLINICIAN | JR_PROVIDER | ADMIN,
     API_NO_BODY, "List social prescriptions"},
    {"GET", "/api/v1/prescriptions/{id}", api_rx_get,
     JR_WORKERS | JR_CLINICIAN | JR_PROVIDER | ADMIN, API_NO_BODY, "One social prescription"},
    {"POST", "/api/v1/prescriptions/{id}/status", api_rx_status,
     JR_WORKERS | JR_CLINICIAN | JR_PROVIDER, 0, "Send, answer or finish a social prescription"},
    {"POST", "/api/v1/prescriptions/{id}/attendance", api_rx_attendance,
     JR_WORKERS | JR_CLINICIAN | JR_PROVIDER, 0, "Record attendance"},
    {"GET", "/api/v1/funds", api_funds_list, JR_WORKERS | ADMIN, API_NO_BODY,
     "Spot-purchase funds"},
    {"POST", "/api/v1/funds", api_funds_create, ADMIN, 0, "Create a spot-purchase fund"},
    {"PATCH", "/api/v1/funds/{id}", api_funds_update, ADMIN, 0, "Top up or reduce a fund"},
};

const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
