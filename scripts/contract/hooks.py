"""schemathesis hooks for the ScaiDNS contract run (scripts/contract/run.sh).

The run authenticates as the platform admin. Left alone, the stateful phase soon deletes that
admin's own key (or suspends the platform tenant) and every later case only sees 401s, which
proves nothing. Path parameters naming one of the ids in SCAIDNS_PROTECTED_IDS are swapped for
a stable unknown id, so those cases still run and get a 404.
"""

import json
import os
import uuid

import schemathesis

PROTECTED = set(json.loads(os.environ.get("SCAIDNS_PROTECTED_IDS", "[]")))
# Configuration keys whose change would spoil every later case (a rate limit of 1 answers them
# all 429; TTL bounds refuse the records other cases write): `PATCH /admin/config/{key}` on them
# is sent for an unknown key instead (404).
PROTECTED |= {"rate_limit.api_key_per_minute", "rate_limit.user_per_minute", "ttl.min",
              "ttl.max", "zone.default_ttl"}


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    for name, value in list((case.path_parameters or {}).items()):
        if str(value) in PROTECTED:
            case.path_parameters[name] = str(uuid.uuid5(uuid.NAMESPACE_URL, str(value)))


# Fields whose validity depends on the server's state, the deployment or another field, which
# no schema can state. A schema-valid request refused with 422 `invalid_input` naming one of
# these (on the operations listed, or on any with "*") is the server doing its job; any other
# refusal of schema-valid data is a contract failure.
ANY = "*"
STATEFUL_FIELDS = {
    # Ids that must name an existing object of the right tenant; names of existing roles.
    "tenant_id": ANY,
    "user_id": ANY,
    "permission_source_id": ANY,
    "grantee_id": ANY,
    "domain_id": ANY,
    "role_name": ANY,
    # Required or forbidden by the value of `scope`.
    "scope_id": ANY,
    # Must lie in the future.
    "expires_at": ANY,
    # Valid only for the record's `type` (an A record needs an IPv4 address, ...).
    "content": ANY,
    # An IP address or CIDR block, v4 or v6: `anyOf` formats would say it, but the Rust client
    # generator cannot digest them.
    "ip_whitelist": ANY,
    # Catalogue entries or wildcards (`zones:*`) the caller itself holds.
    "permission": ANY,
    "permissions": ANY,
    # Must agree with the zone name (a reverse zone needs an in-addr.arpa/ip6.arpa name).
    "domain_type": ANY,
    # DNS name rules (labels, UTS-46 mapping, the zone it must sit in) beyond any pattern.
    "name": {"/api/v1/domains", "/api/v1/domains/{domain_id}/records",
             "/api/v1/admin/tenants", "/api/v1/admin/tenants/{tenant_id}"},
    # Bounded by the deployment: TTL_MIN/TTL_MAX, RATE_LIMIT_API_KEY_MAX, the validation
    # methods the platform offers.
    "ttl": ANY,
    "default_ttl": ANY,
    "rate_limit": ANY,
    "validation_type": ANY,
    # Zone file formats and import modes: one of a few words the 422 names (bind/json/csv,
    # merge/skip_existing/replace), checked by the server rather than declared as enums.
    "format": {"/api/v1/domains/{domain_id}/export",
               "/api/v1/domains/{domain_id}/export/download",
               "/api/v1/domains/{domain_id}/import/text",
               "/api/v1/domains/{domain_id}/import/preview",
               "/api/v1/domains/{domain_id}/import/file"},
    "mode": {"/api/v1/domains/{domain_id}/import/text",
             "/api/v1/domains/{domain_id}/import/preview",
             "/api/v1/domains/{domain_id}/import/file"},
    # Configuration values: integers within each key's bounds, sent as strings (spec §11.1).
    "value": {"/api/v1/admin/config/{key}"},
    # Authoritative domains follow the zone-name rules and may not repeat.
    "domains": {"/api/v1/admin/authoritative-domains"},
    # A tenant's partner must exist; its settings must be a JSON object (a zone's too).
    "partner_id": ANY,
    "settings": ANY,
    # A bulk request must change something: at least one item over its three lists, which no
    # schema of three optional arrays can state.
    "records": {"/api/v1/domains/{domain_id}/records/bulk", "/api/v1/templates",
                "/api/v1/templates/{template_id}"},
    # Auto-PTR (`"ptr": true`) applies to A and AAAA records only.
    "ptr": {"/api/v1/domains/{domain_id}/records",
            "/api/v1/domains/{domain_id}/records/{record_id}"},
    "record_ids": {"/api/v1/domains/{domain_id}/records/bulk-delete"},
    # An IP address, v4 or v6 in any textual form, inside the reverse zone's block (no pattern
    # states either); a bulk of PTRs must hold at least one.
    "ip": {"/api/v1/reverse-zones/lookup/{ip}", "/api/v1/reverse-zones/{domain_id}/ptr",
           "/api/v1/reverse-zones/{domain_id}/ptr/{ip}"},
    "ptrs": {"/api/v1/reverse-zones/{domain_id}/ptr/bulk"},
    # A template must exist in the caller's view; its variables must be the ones it declares,
    # with the values its patterns allow; a template's name must not be blank.
    "template_id": ANY,
    "template_variables": ANY,
    "variables": ANY,
    # Secondary-zone fields: required for `domain_type: secondary`, refused for every other type;
    # primaries must be public addresses unless the deployment allows private ones; a TSIG
    # secret is base64 and comes with its key name.
    "primaries": ANY,
    "tsig_key_name": ANY,
    "tsig_algorithm": ANY,
    "tsig_secret": ANY,
}
# A template's name (the templates endpoints) must not be blank or repeat one of the tenant's.
# Webhook subscriptions: a URL must be https and resolve to public addresses (checked by
# resolving it), and events are `*`, a family wildcard or a known event type.
STATEFUL_FIELDS["url"] = {"/api/v1/webhook-subscriptions",
                          "/api/v1/webhook-subscriptions/{subscription_id}"}
STATEFUL_FIELDS["events"] = {"/api/v1/webhook-subscriptions",
                             "/api/v1/webhook-subscriptions/{subscription_id}"}
# At most 500 characters (a template's: no control characters either).
STATEFUL_FIELDS["description"] = STATEFUL_FIELDS.get("description", set()) | {
    "/api/v1/webhook-subscriptions", "/api/v1/webhook-subscriptions/{subscription_id}",
    "/api/v1/templates", "/api/v1/templates/{template_id}"}
# A group's type is one of ScaiKey's words (SECURITY, DISTRIBUTION_LIST), checked by the
# server in any case rather than declared as an enum.
STATEFUL_FIELDS["group_type"] = {"/api/v1/admin/groups", "/api/v1/admin/groups/{group_id}"}
STATEFUL_FIELDS["name"] = STATEFUL_FIELDS["name"] | {"/api/v1/templates",
                                                     "/api/v1/templates/{template_id}"}
# Refusals that depend on the target object's state (platform-managed records, a record type
# the zone's kind does not allow) or on what the DNS backend can do (the DNSSEC algorithms it
# signs with).
# A bulk change refused item by item (`bulk_rejected`) lists the same per-record refusals a
# single write gives: records that must exist, content valid for the record's type, zone rules.
# An `Idempotency-Key` the run already sent with another request (schemathesis draws keys from
# the header's schema, so a short key comes back with a different body) is refused as reused.
STATEFUL_CODES = {"system_managed", "ptr_outside_reverse_zone", "unsupported_algorithm",
                  "bulk_rejected", "idempotency_key_reused", "no_reverse_zone"}
# A classless delegation names a tenant that must exist, not be suspended and not be the zone's
# own (`tenant_id`), and a range inside the zone's own /24 (`cidr`, below).
STATEFUL_CODES |= {"tenant_not_found", "delegation_to_self"}
# `POST /plans` names a write (`operation`, one of a list the description gives) whose own
# parameters (`params`) and body it takes: which names are valid depends on the operation named,
# which no schema can state, so a plan request naming an unknown operation or parameter is
# refused (`invalid_plan`). A well-formed one is always 200, whatever the planned call would do.
STATEFUL_CODES |= {"invalid_plan"}
# `cidr` on `POST /domains` is always refused with a pointer to `/reverse-zones` (a field the
# API once documented must be refused rather than dropped); a CIDR block's syntax, alignment and
# host bits follow the address family's rules, which no pattern states.
CIDR_CODES = {"use_reverse_zones", "invalid_cidr", "cidr_not_aligned", "cidr_host_bits_set",
              "cidr_unsupported_prefix", "cidr_outside_zone"}
# Zone data to import that is not a zone file (its lines are listed), or binary rather than
# UTF-8 text (a `format: binary` part may carry any bytes): the server says why it cannot read it.
CONTENT_CODES = {"invalid_zone_data", "invalid_encoding"}
# Record types the document lets through on purpose so the core can explain its refusal: the
# DNSSEC types the signer owns (pointing to the DNSSEC endpoints) and `TYPEnnn` numbers that are
# meta types or that have a name (`spec_refinement::record_type_any_case`).
EXPLAINED_TYPE_CODES = {"dnssec_managed", "unsupported_record_type"}


def _refused_field(response):
    try:
        body = response.json()
    except Exception:
        return None, None
    code = body.get("code") if isinstance(body, dict) else None
    try:
        loc = body["detail"][0]["loc"]
    except Exception:
        return code, None
    field = loc[1] if len(loc) > 1 and loc[0] == "body" else None
    # A list item is named `domains[2]`: the list's field decides.
    return code, (field.split("[")[0] if isinstance(field, str) else field)


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    # An `If-Match` holds only for the zone's current version, which no schema can state.
    if failure.code == "ST202" and response.status_code == 412:
        return False
    # An `If-Match` outside visible ASCII (schemathesis sends Latin-1) is refused 400 rather
    # than dropped, which would make the write unconditional; the schema cannot say "ASCII"
    # without turning the client's parameter into a type of its own.
    if (failure.code == "ST202" and response.status_code == 400
            and _refused_field(response)[0] == "invalid_if_match"):
        return False
    # A repeat of a keyed write while the first one still runs: a state, not the data.
    if (failure.code == "ST202" and response.status_code == 409
            and _refused_field(response)[0] == "idempotency_in_progress"):
        return False
    # `/health/ready?strict=<not a boolean>` is answered 400 in the error envelope, like every
    # bad query parameter, but the operation cannot list it: its 503 carries the health report,
    # and the client generator allows one error body type per operation.
    if (failure.code == "ST103" and response.status_code == 400
            and case.operation.path == "/api/v1/health/ready"):
        return False
    # `GET /templates?template_type=` takes `system` or `custom`; stating it as an enum would turn
    # the client's parameter into a type of its own.
    if (failure.code == "ST202" and response.status_code == 400
            and case.operation.path == "/api/v1/templates"
            and _refused_field(response)[0] == "invalid_query"):
        return False
    # Zone history: a generation the zone has not reached (400 on the diff's query) or no longer
    # keeps (410), and a restore the zone's rules or the TTL bounds refuse now (422): states of
    # the zone, not the data.
    history = case.operation.path.startswith("/api/v1/domains/{domain_id}/history") or \
        case.operation.path == "/api/v1/domains/{domain_id}/diff"
    if failure.code == "ST202" and history and response.status_code in (400, 410, 422):
        return False
    if failure.code != "ST202" or response.status_code != 422:
        return True
    code, field = _refused_field(response)
    if code in STATEFUL_CODES:
        return False
    if field == "cidr" and code in CIDR_CODES:
        return False
    if field == "type" and code in EXPLAINED_TYPE_CODES:
        return False
    if field == "content" and code in CONTENT_CODES:
        return False
    where = STATEFUL_FIELDS.get(field)
    expected = where == ANY or (where is not None and case.operation.path in where)
    return not (code in ("invalid_input", "invalid_domain_name") and expected)
