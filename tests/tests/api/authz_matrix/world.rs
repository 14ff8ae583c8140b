//! The world the matrix runs in: the callers, their tenants and zones, and the objects made
//! afresh for rows that consume theirs.

use super::calls::{id, made};
use super::*;

/// A caller: its key, its user and the id of its key.
pub(super) struct Actor {
    pub(super) key: String,
    pub(super) user: String,
    pub(super) key_id: String,
}

pub(super) struct World {
    pub(super) actors: HashMap<&'static str, Actor>,
    pub(super) vars: HashMap<&'static str, String>,
    /// Zone roles by role name → user, granted on every fresh zone too.
    pub(super) zone_users: Vec<(&'static str, String)>,
    /// RG's grant limited to `www` by zone, made on every zone of tenant A.
    pub(super) rg_grants: HashMap<String, String>,
    /// When RG's grants end.
    pub(super) rg_expires: String,
    /// Counts fresh objects, for unique names.
    pub(super) made: usize,
}

/// A user of `tenant` with an API key.
pub(super) async fn user_with_key(app: &TestApp, email: &str, tenant: &str) -> Actor {
    let p = &app.admin_key;
    let user = id(&made(
        app,
        p,
        "POST",
        "/api/v1/admin/users",
        json!({"email": email, "tenant_id": tenant}),
    )
    .await);
    let key = made(
        app,
        p,
        "POST",
        "/api/v1/api-keys",
        json!({"name": "k", "permission_source_id": user}),
    )
    .await;
    Actor {
        key: key["key"].as_str().unwrap().to_owned(),
        key_id: id(&key),
        user,
    }
}

impl World {
    pub(super) async fn new(app: &TestApp) -> Self {
        let alpha = app.tenant_with_user("alpha").await;
        let beta = app.tenant_with_user("beta").await;
        let beta_tenant = beta.tenant_id.clone();
        let p = app.admin_key.clone();
        // Tenant A's admin may skip validation, so its zones are active at once.
        made(
            app,
            &p,
            "POST",
            &format!("/api/v1/roles/users/{}", alpha.user_id),
            json!({"role_name": "validation_bypass", "scope": "tenant",
                   "scope_id": alpha.tenant_id}),
        )
        .await;
        let keys = made(app, &p, "GET", "/api/v1/api-keys", json!(null)).await;
        let platform_key_id = keys["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["permission_source_id"] == json!(app.admin_user_id))
            .map(id)
            .unwrap();
        let mut actors = HashMap::from([
            (
                "P",
                Actor {
                    key: p.clone(),
                    user: app.admin_user_id.clone(),
                    key_id: platform_key_id,
                },
            ),
            (
                "TA",
                Actor {
                    key: alpha.key.clone(),
                    user: alpha.user_id.clone(),
                    key_id: alpha.key_id.clone(),
                },
            ),
            (
                "FA",
                Actor {
                    key: beta.key,
                    user: beta.user_id,
                    key_id: beta.key_id,
                },
            ),
        ]);
        let mut zone_users = Vec::new();
        for (actor, role) in ZONE_ROLES {
            let email = format!("{}@alpha.test", actor.to_lowercase());
            let a = user_with_key(app, &email, &alpha.tenant_id).await;
            zone_users.push((*role, a.user.clone()));
            actors.insert(actor, a);
        }
        for actor in ["NR", "RG", "KM"] {
            let email = format!("{}@alpha.test", actor.to_lowercase());
            actors.insert(actor, user_with_key(app, &email, &alpha.tenant_id).await);
        }
        // KM manages API keys and holds nothing else.
        made(
            app,
            &alpha.key,
            "POST",
            "/api/v1/roles",
            json!({"name": "key-manager", "permissions": ["api_keys:*"]}),
        )
        .await;
        made(
            app,
            &alpha.key,
            "POST",
            &format!("/api/v1/roles/users/{}", actors["KM"].user),
            json!({"role_name": "key-manager", "scope": "tenant", "scope_id": alpha.tenant_id}),
        )
        .await;
        // Partners arrive from the identity provider; the matrix writes one as sync would.
        let partner = scaidns_core::tenant::Partner {
            id: scaidns_core::ids::PartnerId::new(),
            name: "Matrix partner".into(),
            slug: None,
            scaikey_partner_id: "prt_matrix".into(),
            status: scaidns_core::tenant::PartnerStatus::Active,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        app.service()
            .store()
            .apply_identity_batch(&scaidns_core::ports::identity_store::IdentityBatch {
                changes: vec![
                    scaidns_core::ports::identity_store::IdentityChange::Partner(partner),
                ],
                ..Default::default()
            })
            .await
            .expect("partner");
        // Whole seconds, as the store keeps them.
        let rg_expires = (chrono::Utc::now() + chrono::Duration::days(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut w = World {
            vars: HashMap::from([
                ("tenant", alpha.tenant_id.clone()),
                ("btenant", beta_tenant.clone()),
                ("partner", "prt_matrix".to_owned()),
                ("config_key", "validation.challenge_ttl".to_owned()),
                // A zone's first history step (its creation).
                ("first_step", "1".to_owned()),
            ]),
            actors,
            zone_users,
            rg_grants: HashMap::new(),
            rg_expires,
            made: 0,
        };
        let zone = w.zone(app, "alpha.test").await;
        let ta = w.actors["TA"].key.clone();
        let pending = w.pending_zone(app, "pending-alpha.test").await;
        let record = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/domains/{zone}/records"),
            json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
        )
        .await);
        let api_record = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/domains/{zone}/records"),
            json!({"name": "api", "type": "A", "content": "192.0.2.2"}),
        )
        .await);
        // A reverse zone with the same roles and RG's grant (limited to `www`, so no PTR),
        // and a PTR in it.
        let rzone = w.zone(app, "2.0.192.in-addr.arpa").await;
        let rptr = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/reverse-zones/{rzone}/ptr"),
            json!({"ip": "192.0.2.1", "hostname": "www.alpha.test"}),
        )
        .await);
        // Tenant A lends a range of it to tenant B.
        let deleg = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/reverse-zones/{rzone}/classless-delegations"),
            json!({"cidr": "192.0.2.160/27", "tenant_id": w.vars["btenant"]}),
        )
        .await);
        let ro_user = w.actors["RO"].user.clone();
        let assignment = made(
            app,
            &p,
            "GET",
            &format!("/api/v1/roles/users/{ro_user}"),
            json!(null),
        )
        .await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let grant = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/domains/{zone}/access-grants"),
            json!({"grant_type": "user", "grantee_id": ro_user, "role": "read_only",
                   "record_pattern": "*.dev"}),
        )
        .await);
        let crole = id(&made(
            app,
            &ta,
            "POST",
            "/api/v1/roles",
            json!({"name": "alpha-custom", "permissions": ["records:read"]}),
        )
        .await);
        // A group with a member and a role, none of them a caller of the matrix.
        let agroup = id(&made(
            app,
            &ta,
            "POST",
            "/api/v1/admin/groups",
            json!({"name": "alpha-ops"}),
        )
        .await);
        let member = w.user(app).await;
        made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/admin/groups/{agroup}/members"),
            json!({"user_id": member}),
        )
        .await;
        let gassignment = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/roles/groups/{agroup}"),
            json!({"role_name": "read_only", "scope": "tenant", "scope_id": alpha.tenant_id}),
        )
        .await);
        let log = made(
            app,
            &ta,
            "GET",
            &format!("/api/v1/admin/audit-logs?action=domain.create&resource_id={zone}"),
            json!(null),
        )
        .await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // A custom template of tenant A (one record outside `www`, one variable) and one whose
        // only record is at `www`, inside RG's grant.
        let tmpl = id(&made(
            app,
            &ta,
            "POST",
            "/api/v1/templates",
            json!({"name": "alpha-tmpl",
                   "records": [{"name": "tmpl", "type": "A", "content": "${ip}"}],
                   "variables": [{"name": "ip", "default": "192.0.2.50"}]}),
        )
        .await);
        let wtmpl = id(&made(
            app,
            &ta,
            "POST",
            "/api/v1/templates",
            json!({"name": "alpha-www",
                   "records": [{"name": "www", "type": "AAAA", "content": "2001:db8::50"}]}),
        )
        .await);
        // A webhook subscription of tenant A and a test delivery of it (to an event no row
        // causes, so the rows' zone changes do not push that delivery off the first page).
        let hook = id(&made(
            app,
            &ta,
            "POST",
            "/api/v1/webhook-subscriptions",
            json!({"url": "http://127.0.0.1:9/alpha", "events": ["dnssec.key_removed"]}),
        )
        .await);
        let hookd = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/webhook-subscriptions/{hook}/test"),
            json!(null),
        )
        .await);
        // RK: tenant A's admin's own key, narrowed to reading.
        let rk = made(
            app,
            &ta,
            "POST",
            "/api/v1/api-keys",
            json!({"name": "read-only", "scopes": ["domains:read", "records:read", "templates:read"]}),
        )
        .await;
        w.actors.insert(
            "RK",
            Actor {
                key: rk["key"].as_str().unwrap().to_owned(),
                key_id: id(&rk),
                user: w.actors["TA"].user.clone(),
            },
        );
        w.vars.extend([
            ("tmpl", tmpl),
            ("wtmpl", wtmpl),
            ("hook", hook),
            ("hookd", hookd),
            // caa-letsencrypt, from migration 0012.
            ("stmpl", "0193c0de-0000-7000-8000-000000000005".to_owned()),
            ("zone", zone),
            ("pending", pending),
            ("record", record),
            ("api_record", api_record),
            ("rzone", rzone),
            ("rptr", rptr),
            ("deleg", deleg),
            ("rip", "192.0.2.1".to_owned()),
            ("ta_user", w.actors["TA"].user.clone()),
            ("da_user", w.actors["DA"].user.clone()),
            ("ro_user", ro_user),
            ("nr_user", w.actors["NR"].user.clone()),
            ("assignment", assignment),
            ("grant", grant),
            ("crole", crole),
            ("agroup", agroup),
            ("member", member),
            ("gassignment", gassignment),
            ("key", alpha.key_id),
            ("log", log),
        ]);
        w
    }

    pub(super) fn ta(&self) -> String {
        self.actors["TA"].key.clone()
    }

    pub(super) fn next(&mut self) -> usize {
        self.made += 1;
        self.made
    }

    /// A zone of tenant A named `name` awaiting validation, RG's grant on it.
    pub(super) async fn pending_zone(&mut self, app: &TestApp, name: &str) -> String {
        let zone = id(&made(
            app,
            &self.ta(),
            "POST",
            "/api/v1/domains",
            json!({"name": name, "skip_validation": false}),
        )
        .await);
        self.grant_rg(app, &zone).await;
        zone
    }

    /// Gives RG a domain_admin grant limited to `www`, expiring, on `zone`.
    pub(super) async fn grant_rg(&mut self, app: &TestApp, zone: &str) {
        let grant = id(&made(
            app,
            &self.ta(),
            "POST",
            &format!("/api/v1/domains/{zone}/access-grants"),
            json!({"grant_type": "user", "grantee_id": self.actors["RG"].user,
                   "role": "domain_admin", "record_pattern": "www",
                   "expires_at": self.rg_expires}),
        )
        .await);
        self.rg_grants.insert(zone.to_owned(), grant);
    }

    /// An active zone of tenant A named `name`, the zone roles and RG's grant held on it.
    pub(super) async fn zone(&mut self, app: &TestApp, name: &str) -> String {
        self.zone_from(app, json!({"name": name})).await
    }

    /// A zone created from `body`, with the zone roles and RG's grant on it.
    pub(super) async fn zone_from(&mut self, app: &TestApp, body: Value) -> String {
        let zone = id(&made(app, &self.ta(), "POST", "/api/v1/domains", body).await);
        for (role, user) in &self.zone_users {
            made(
                app,
                &app.admin_key,
                "POST",
                &format!("/api/v1/roles/users/{user}"),
                json!({"role_name": role, "scope": "domain", "scope_id": zone}),
            )
            .await;
        }
        self.grant_rg(app, &zone).await;
        zone
    }

    /// A user of tenant A with no role.
    pub(super) async fn user(&mut self, app: &TestApp) -> String {
        let n = self.next();
        id(&made(
            app,
            &self.ta(),
            "POST",
            "/api/v1/admin/users",
            json!({"email": format!("fresh-{n}@alpha.test"), "tenant_id": self.vars["tenant"]}),
        )
        .await)
    }

    pub(super) async fn group(&mut self, app: &TestApp) -> String {
        let n = self.next();
        id(&made(
            app,
            &self.ta(),
            "POST",
            "/api/v1/admin/groups",
            json!({"name": format!("fresh-{n}")}),
        )
        .await)
    }

    /// Makes `fresh`; the placeholders it binds.
    pub(super) async fn fresh(
        &mut self,
        app: &TestApp,
        fresh: Fresh,
    ) -> Vec<(&'static str, String)> {
        let ta = self.ta();
        let zone = self.vars["zone"].clone();
        let tenant = self.vars["tenant"].clone();
        let n = self.next();
        let read_only = json!({"role_name": "read_only", "scope": "tenant", "scope_id": tenant});
        match fresh {
            Fresh::Zone => {
                let fz = self.zone(app, &format!("f{n}.alpha.test")).await;
                vec![("fzg", self.rg_grants[&fz].clone()), ("fz", fz)]
            }
            Fresh::SecondaryZone => {
                let body = json!({"name": format!("f{n}.alpha.test"), "domain_type": "secondary",
                    "primaries": ["127.0.0.1:9"]});
                vec![("fz", self.zone_from(app, body).await)]
            }
            Fresh::DeletedZone => {
                let fz = self.zone(app, &format!("f{n}.alpha.test")).await;
                made(
                    app,
                    &ta,
                    "DELETE",
                    &format!("/api/v1/domains/{fz}"),
                    json!(null),
                )
                .await;
                vec![("fz", fz)]
            }
            Fresh::SignedZone | Fresh::DsPublishedZone => {
                let name = format!("f{n}");
                let fz = self.zone(app, &format!("{name}.alpha.test")).await;
                let records = format!("/api/v1/domains/{zone}/records");
                made(
                    app,
                    &ta,
                    "POST",
                    &records,
                    json!({"name": name, "type": "NS", "content": "ns1.scaidns.test."}),
                )
                .await;
                let signed = made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{fz}/dnssec/enable"),
                    json!({}),
                )
                .await;
                // The registrar publishes the SHA-256 DS at the parent.
                let published = matches!(fresh, Fresh::DsPublishedZone);
                for ds in signed["ds_records"].as_array().unwrap() {
                    if published && ds["digest_type"] == 2 {
                        let content = format!(
                            "{} {} 2 {}",
                            ds["key_tag"],
                            ds["algorithm"],
                            ds["digest"].as_str().unwrap()
                        );
                        made(
                            app,
                            &ta,
                            "POST",
                            &records,
                            json!({"name": name, "type": "DS", "content": content}),
                        )
                        .await;
                    }
                }
                vec![("fz", fz)]
            }
            Fresh::PendingZone => {
                let fz = self.pending_zone(app, &format!("pending-{n}.test")).await;
                vec![("fz", fz)]
            }
            Fresh::Record => {
                let fr = id(&made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{zone}/records"),
                    json!({"name": format!("fresh-{n}"), "type": "TXT", "content": "f"}),
                )
                .await);
                vec![("fr", fr)]
            }
            Fresh::WwwRecord => {
                // Apart from the addresses the callers add at `www` (192.0.2.x).
                let content = format!("198.51.100.{}", n % 250 + 1);
                let fr = id(&made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{zone}/records"),
                    json!({"name": "www", "type": "A", "content": content}),
                )
                .await);
                vec![("fr", fr)]
            }
            Fresh::Ptr => {
                // Apart from the addresses the callers add (192.0.2.1, .10–.19, .110–.119).
                let fip = format!("192.0.2.{}", 20 + n % 80);
                let rzone = self.vars["rzone"].clone();
                made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/reverse-zones/{rzone}/ptr"),
                    json!({"ip": fip, "hostname": format!("fresh-{n}.alpha.test"), "replace": true}),
                )
                .await;
                vec![("fip", fip)]
            }
            Fresh::Delegation => {
                // Apart from the PTRs (.1–.120) and `{deleg}` (.160/27); a /32 left by a
                // refused caller is taken back first.
                let cidr = format!("192.0.2.{}/32", 224 + n % 32);
                let rzone = self.vars["rzone"].clone();
                let path = format!("/api/v1/reverse-zones/{rzone}/classless-delegations");
                let list = made(app, &ta, "GET", &path, json!(null)).await;
                for old in list["data"].as_array().into_iter().flatten() {
                    if old["cidr"] == cidr.as_str() {
                        let old = format!("{path}/{}", id(old));
                        made(app, &ta, "DELETE", &old, json!(null)).await;
                    }
                }
                let body = json!({"cidr": cidr, "tenant_id": self.vars["btenant"]});
                vec![("fdel", id(&made(app, &ta, "POST", &path, body).await))]
            }
            Fresh::User => vec![("fu", self.user(app).await)],
            Fresh::UserAssignment => {
                let fu = self.user(app).await;
                let path = format!("/api/v1/roles/users/{fu}");
                let fa = id(&made(app, &ta, "POST", &path, read_only).await);
                vec![("fu", fu), ("fa", fa)]
            }
            Fresh::Group => vec![("fg", self.group(app).await)],
            Fresh::GroupAssignment => {
                let fg = self.group(app).await;
                let path = format!("/api/v1/roles/groups/{fg}");
                let fa = id(&made(app, &ta, "POST", &path, read_only).await);
                vec![("fg", fg), ("fa", fa)]
            }
            Fresh::PrivilegedGroup => {
                let fg = self.group(app).await;
                made(
                    app,
                    &app.admin_key,
                    "POST",
                    &format!("/api/v1/roles/groups/{fg}"),
                    json!({"role_name": "validation_bypass", "scope": "platform"}),
                )
                .await;
                vec![("fg", fg), ("fu", self.user(app).await)]
            }
            Fresh::Member => {
                let fu = self.user(app).await;
                let path = format!("/api/v1/admin/groups/{}/members", self.vars["agroup"]);
                made(app, &ta, "POST", &path, json!({"user_id": fu})).await;
                vec![("fu", fu)]
            }
            Fresh::Grant => {
                let grantee = self.user(app).await;
                let fgrant = id(&made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{zone}/access-grants"),
                    json!({"grant_type": "user", "grantee_id": grantee, "role": "read_only"}),
                )
                .await);
                vec![("fgrant", fgrant)]
            }
            Fresh::Template => {
                let ft = id(&made(
                    app,
                    &ta,
                    "POST",
                    "/api/v1/templates",
                    json!({"name": format!("fresh-{n}"),
                           "records": [{"name": "f", "type": "A", "content": "192.0.2.9"}]}),
                )
                .await);
                vec![("ft", ft)]
            }
            Fresh::Hook => {
                let fh = id(&made(
                    app,
                    &ta,
                    "POST",
                    "/api/v1/webhook-subscriptions",
                    json!({"url": format!("http://127.0.0.1:9/fresh-{n}"), "events": ["*"]}),
                )
                .await);
                vec![("fh", fh)]
            }
            Fresh::Role => {
                let frole = id(&made(
                    app,
                    &ta,
                    "POST",
                    "/api/v1/roles",
                    json!({"name": format!("fresh-{n}"), "permissions": ["records:read"]}),
                )
                .await);
                vec![("frole", frole)]
            }
            Fresh::Key | Fresh::RevokedKey => {
                let fk = id(&made(
                    app,
                    &ta,
                    "POST",
                    "/api/v1/api-keys",
                    json!({"name": format!("fresh-{n}")}),
                )
                .await);
                if matches!(fresh, Fresh::RevokedKey) {
                    let path = format!("/api/v1/api-keys/{fk}/revoke");
                    made(app, &ta, "POST", &path, json!(null)).await;
                }
                vec![("fk", fk)]
            }
        }
    }
}
