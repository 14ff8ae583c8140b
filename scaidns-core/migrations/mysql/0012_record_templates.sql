-- Record templates (issue 10 item 2): system templates (tenant_id NULL, shipped below, read-only)
-- and tenant custom ones; records and variables are JSON text. A zone created with a template
-- keeps it in zone_pending_templates until the zone becomes active and the template is applied.
CREATE TABLE record_templates (
    id          CHAR(36)     NOT NULL,
    tenant_id   CHAR(36)     NULL,
    name        VARCHAR(191) NOT NULL,
    description TEXT         NULL,
    records     MEDIUMTEXT   NOT NULL,
    variables   TEXT         NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_record_templates_tenant_name (tenant_id, name),
    KEY ix_record_templates_tenant (tenant_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE zone_pending_templates (
    zone_id     CHAR(36)    NOT NULL,
    template_id CHAR(36)    NOT NULL,
    variables   TEXT        NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (zone_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The system templates.
INSERT INTO record_templates (id, tenant_id, name, description, records, variables, created_at, updated_at) VALUES (
    '0193c0de-0000-7000-8000-000000000001', NULL, 'google-workspace-mail', 'Google Workspace mail: MX and SPF',
    '[{"name": "@", "type": "MX", "content": "1 smtp.google.com.", "ttl": 3600}, {"name": "@", "type": "TXT", "content": "v=spf1 include:_spf.google.com ~all", "ttl": 3600}]',
    '[]',
    '2026-12-01 00:00:00.000000', '2026-12-01 00:00:00.000000');
INSERT INTO record_templates (id, tenant_id, name, description, records, variables, created_at, updated_at) VALUES (
    '0193c0de-0000-7000-8000-000000000002', NULL, 'microsoft-365-mail', 'Microsoft 365 mail: MX, SPF and Autodiscover',
    '[{"name": "@", "type": "MX", "content": "0 ${mx_host}.", "ttl": 3600}, {"name": "@", "type": "TXT", "content": "v=spf1 include:spf.protection.outlook.com -all", "ttl": 3600}, {"name": "autodiscover", "type": "CNAME", "content": "autodiscover.outlook.com.", "ttl": 3600}]',
    '[{"name": "mx_host", "description": "The MX host Microsoft 365 gives the domain, e.g. example-com.mail.protection.outlook.com", "required": true, "default": null, "pattern": "^[a-z0-9-]{1,63}[.]mail[.]protection[.]outlook[.]com$"}]',
    '2026-12-01 00:00:00.000000', '2026-12-01 00:00:00.000000');
INSERT INTO record_templates (id, tenant_id, name, description, records, variables, created_at, updated_at) VALUES (
    '0193c0de-0000-7000-8000-000000000003', NULL, 'web-server', 'Web server: A and AAAA at the apex, www as a CNAME to the apex',
    '[{"name": "@", "type": "A", "content": "${ipv4}", "ttl": 3600}, {"name": "@", "type": "AAAA", "content": "${ipv6}", "ttl": 3600}, {"name": "www", "type": "CNAME", "content": "${domain}.", "ttl": 3600}]',
    '[{"name": "ipv4", "description": "The server''s IPv4 address", "required": true, "default": null, "pattern": null}, {"name": "ipv6", "description": "The server''s IPv6 address", "required": true, "default": null, "pattern": null}]',
    '2026-12-01 00:00:00.000000', '2026-12-01 00:00:00.000000');
INSERT INTO record_templates (id, tenant_id, name, description, records, variables, created_at, updated_at) VALUES (
    '0193c0de-0000-7000-8000-000000000004', NULL, 'email-security-baseline', 'SPF, DMARC, MTA-STS and TLS-RPT baseline',
    '[{"name": "@", "type": "TXT", "content": "v=spf1 ${spf_mechanisms} -all", "ttl": 3600}, {"name": "_dmarc", "type": "TXT", "content": "v=DMARC1; p=${dmarc_policy}; rua=mailto:${report_address}", "ttl": 3600}, {"name": "_mta-sts", "type": "TXT", "content": "v=STSv1; id=${mta_sts_id}", "ttl": 3600}, {"name": "_smtp._tls", "type": "TXT", "content": "v=TLSRPTv1; rua=mailto:${report_address}", "ttl": 3600}]',
    '[{"name": "spf_mechanisms", "description": "SPF mechanisms allowed to send", "required": false, "default": "mx", "pattern": "^[A-Za-z0-9:._/ =+-]{1,200}$"}, {"name": "dmarc_policy", "description": "DMARC policy: none, quarantine or reject", "required": false, "default": "quarantine", "pattern": "^(none|quarantine|reject)$"}, {"name": "report_address", "description": "Where DMARC and TLS reports go", "required": false, "default": "postmaster@${domain}", "pattern": "^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}$"}, {"name": "mta_sts_id", "description": "MTA-STS policy id (change it when the policy changes)", "required": false, "default": "1", "pattern": "^[A-Za-z0-9]{1,32}$"}]',
    '2026-12-01 00:00:00.000000', '2026-12-01 00:00:00.000000');
INSERT INTO record_templates (id, tenant_id, name, description, records, variables, created_at, updated_at) VALUES (
    '0193c0de-0000-7000-8000-000000000005', NULL, 'caa-letsencrypt', 'CAA: only Let''s Encrypt may issue certificates',
    '[{"name": "@", "type": "CAA", "content": "0 issue letsencrypt.org", "ttl": 3600}, {"name": "@", "type": "CAA", "content": "0 issuewild letsencrypt.org", "ttl": 3600}, {"name": "@", "type": "CAA", "content": "0 iodef mailto:${contact}", "ttl": 3600}]',
    '[{"name": "contact", "description": "Where CAs report refused requests", "required": false, "default": "hostmaster@${domain}", "pattern": "^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}$"}]',
    '2026-12-01 00:00:00.000000', '2026-12-01 00:00:00.000000');
