//! The fixed demo (issue 2): four accounts on two sites, a resource directory, and for each
//! account resources, vaults and backups of every kind with real bytes on disk, so that
//! every rule has something to act on. Seeded only into a new, empty database.

use chrono::{DateTime, Duration, Utc};

use crate::service::{Backshare, ServiceResult};

/// The password of every demo user (demo mode only).
pub const DEMO_PASSWORD: &str = "backshare-demo";

/// One demo sign-in, for the start-up banner.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub email: &'static str,
    pub role: &'static str,
    pub account: &'static str,
    pub account_id: &'static str,
}

struct DemoAccount {
    id: &'static str,
    name: &'static str,
    site: &'static str,
    slug: &'static str,
    /// (project id, region); the first is the primary region.
    projects: &'static [(&'static str, &'static str)],
}

const ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        id: "1840000000000001",
        name: "Acme HQ",
        site: "international",
        slug: "acmehq",
        projects: &[
            ("proj-acmehq-sg", "ap-southeast-1"),
            ("proj-acmehq-eu", "eu-west-1"),
        ],
    },
    DemoAccount {
        id: "1840000000000002",
        name: "Acme East",
        site: "international",
        slug: "acmeeast",
        // Two projects in one region: restores offer a choice.
        projects: &[
            ("proj-acmeeast-sg", "ap-southeast-1"),
            ("proj-acmeeast-standby", "ap-southeast-1"),
        ],
    },
    DemoAccount {
        id: "1840000000000003",
        name: "Partner B",
        site: "international",
        slug: "partnerb",
        projects: &[("proj-partnerb-eu", "eu-west-1")],
    },
    DemoAccount {
        id: "1860000000000004",
        name: "CN Corp",
        site: "china",
        slug: "cncorp",
        projects: &[("proj-cncorp-bj", "cn-beijing")],
    },
];

/// Every demo sign-in.
pub const USERS: [DemoUser; 5] = [
    DemoUser {
        email: "alice@acme.example",
        role: "admin",
        account: "Acme HQ",
        account_id: "1840000000000001",
    },
    DemoUser {
        email: "vic@acme.example",
        role: "viewer",
        account: "Acme HQ",
        account_id: "1840000000000001",
    },
    DemoUser {
        email: "bob@acme-east.example",
        role: "admin",
        account: "Acme East",
        account_id: "1840000000000002",
    },
    DemoUser {
        email: "carol@partner.example",
        role: "admin",
        account: "Partner B",
        account_id: "1840000000000003",
    },
    DemoUser {
        email: "dan@cn.example",
        role: "admin",
        account: "CN Corp",
        account_id: "1860000000000004",
    },
];

const KIB: usize = 1024;

/// Seeds the demo if the database has no accounts yet. Returns whether it seeded.
pub async fn seed_if_empty(svc: &Backshare, now: DateTime<Utc>) -> ServiceResult<bool> {
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(svc.db())
        .await?;
    if accounts > 0 {
        return Ok(false);
    }
    let mut tx = svc.db().begin().await?;
    for account in &ACCOUNTS {
        sqlx::query("INSERT INTO accounts (id, name, site) VALUES ($1, $2, $3)")
            .bind(account.id)
            .bind(account.name)
            .bind(account.site)
            .execute(&mut *tx)
            .await?;
        for (project, region) in account.projects {
            sqlx::query(
                "INSERT INTO projects (id, account_id, name, region) VALUES ($1, $2, $3, $4)",
            )
            .bind(project)
            .bind(account.id)
            .bind(format!("{} {}", account.name, region))
            .bind(region)
            .execute(&mut *tx)
            .await?;
        }
    }
    for user in &USERS {
        let phc = tokio::task::spawn_blocking(|| crate::password::hash(DEMO_PASSWORD))
            .await
            .expect("hashing does not panic");
        sqlx::query(
            "INSERT INTO users (id, account_id, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(format!(
            "user-{}",
            user.email.split('@').next().unwrap_or(user.email)
        ))
        .bind(user.account_id)
        .bind(user.email)
        .bind(phc)
        .bind(user.role)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("INSERT INTO directories (id, name, management_account_id, auto_accept) VALUES ('rd-acme', 'Acme Group', $1, FALSE)")
        .bind(ACCOUNTS[0].id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO folders (id, directory_id, parent_id, name) VALUES ('fd-acme-east', 'rd-acme', NULL, 'East')")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO directory_members (account_id, directory_id, folder_id) VALUES ($1, 'rd-acme', NULL), ($2, 'rd-acme', 'fd-acme-east')")
        .bind(ACCOUNTS[0].id)
        .bind(ACCOUNTS[1].id)
        .execute(&mut *tx)
        .await?;

    for account in &ACCOUNTS {
        let mut seeder = Seeder {
            svc,
            tx: &mut tx,
            account,
            now,
        };
        seeder.seed_account().await?;
    }
    tx.commit().await?;
    Ok(true)
}

struct Seeder<'a, 'c> {
    svc: &'a Backshare,
    tx: &'a mut sqlx::Transaction<'c, sqlx::Any>,
    account: &'a DemoAccount,
    now: DateTime<Utc>,
}

impl Seeder<'_, '_> {
    async fn seed_account(&mut self) -> ServiceResult<()> {
        let slug = self.account.slug;
        let (project, region) = self.account.projects[0];
        let big = if slug == "acmehq" {
            2048 * KIB
        } else {
            256 * KIB
        };

        let orders = self
            .resource(
                &format!("{slug}-orders-db"),
                project,
                region,
                "cluster",
                false,
                big,
            )
            .await?;
        let tde = self
            .resource(
                &format!("{slug}-ledger-db"),
                project,
                region,
                "cluster",
                true,
                128 * KIB,
            )
            .await?;
        let web = self
            .resource(
                &format!("{slug}-web-01"),
                project,
                region,
                "server",
                false,
                512 * KIB,
            )
            .await?;
        let disk = self
            .resource(
                &format!("{slug}-data-disk"),
                project,
                region,
                "disk",
                false,
                1024 * KIB,
            )
            .await?;
        let server_vault = self
            .vault(&format!("vault-{slug}-servers"), region, "server")
            .await?;
        let disk_vault = self
            .vault(&format!("vault-{slug}-disks"), region, "disk")
            .await?;

        let day = Duration::days(1);
        let plain = Backup::default();
        self.backup(
            &format!("cb-{slug}-orders-001"),
            "orders-db daily",
            "cluster_backup",
            &orders,
            Backup {
                level: Some(1),
                age: day * 2,
                ..plain
            },
        )
        .await?;
        self.backup(
            &format!("cb-{slug}-orders-003"),
            "orders-db hourly",
            "cluster_backup",
            &orders,
            Backup {
                level: Some(2),
                age: Duration::hours(6),
                ..plain
            },
        )
        .await?;
        self.backup(
            &format!("cb-{slug}-orders-002"),
            "orders-db weekly",
            "cluster_backup",
            &orders,
            Backup {
                level: Some(1),
                age: day * 5,
                lock: Some("converting"),
                ..plain
            },
        )
        .await?;
        self.backup(
            &format!("cb-{slug}-ledger-001"),
            "ledger-db daily (TDE)",
            "cluster_backup",
            &tde,
            Backup {
                level: Some(1),
                age: day,
                ..plain
            },
        )
        .await?;
        self.backup(
            &format!("rp-{slug}-orders-001"),
            "orders-db cross-region copy",
            "cluster_backup",
            &orders,
            Backup {
                level: Some(2),
                age: day * 3,
                ..plain
            },
        )
        .await?;
        self.backup(
            &format!("sb-{slug}-web-001"),
            "web-01 nightly",
            "server_backup",
            &web,
            Backup {
                vault: Some(server_vault.as_str()),
                age: day,
                ..plain
            },
        )
        .await?;
        self.backup(
            &format!("db-{slug}-data-001"),
            "data-disk nightly (encrypted)",
            "disk_backup",
            &disk,
            Backup {
                vault: Some(disk_vault.as_str()),
                age: day,
                encrypted: true,
                ..plain
            },
        )
        .await?;
        self.backup(
            &format!("fb-{slug}-files-001"),
            "shared files",
            "file_backup",
            &web,
            Backup {
                age: day * 4,
                ..plain
            },
        )
        .await?;

        if let Some((eu_project, eu_region)) = self.account.projects.get(1) {
            let eu = self
                .resource(
                    &format!("{slug}-eu-db"),
                    eu_project,
                    eu_region,
                    "cluster",
                    false,
                    192 * KIB,
                )
                .await?;
            self.backup(
                &format!("cb-{slug}-eu-001"),
                "eu-db daily",
                "cluster_backup",
                &eu,
                Backup {
                    level: Some(1),
                    age: day,
                    ..plain
                },
            )
            .await?;
        }
        Ok(())
    }

    async fn resource(
        &mut self,
        name: &str,
        project: &str,
        region: &str,
        kind: &str,
        encrypted: bool,
        size: usize,
    ) -> ServiceResult<DemoResource> {
        let id = format!("res-{name}");
        let bytes = demo_bytes(&id, size);
        let sha256 = self.svc.objects.put("resources", &id, bytes).await?;
        sqlx::query(
            "INSERT INTO resources (id, account_id, project_id, region, kind, name, encrypted, size_bytes, sha256, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(self.account.id)
        .bind(project)
        .bind(region)
        .bind(kind)
        .bind(name)
        .bind(encrypted)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(sha256)
        .bind((self.now - Duration::days(30)).timestamp_millis())
        .execute(&mut **self.tx)
        .await?;
        Ok(DemoResource {
            id,
            region: region.to_owned(),
        })
    }

    async fn vault(&mut self, id: &str, region: &str, kind: &str) -> ServiceResult<String> {
        sqlx::query("INSERT INTO vaults (id, account_id, region, kind, name, capacity_bytes) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(self.account.id)
            .bind(region)
            .bind(kind)
            .bind(format!("{} {kind} vault", self.account.name))
            .bind(64_i64 * 1024 * 1024)
            .execute(&mut **self.tx)
            .await?;
        Ok(id.to_owned())
    }

    /// Takes a backup: the resource's bytes, copied into the backup's own object.
    async fn backup(
        &mut self,
        id: &str,
        name: &str,
        kind: &str,
        source: &DemoResource,
        opts: Backup<'_>,
    ) -> ServiceResult<()> {
        let bytes = self.svc.objects.get("resources", &source.id).await?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let (sha256, stored_sha256, wrapped_key) = self
            .svc
            .store_backup_bytes(
                self.tx,
                self.account.id,
                id,
                bytes,
                opts.encrypted,
                self.now,
            )
            .await?;
        let created = self.now - opts.age;
        sqlx::query(
            "INSERT INTO backups (id, account_id, resource_id, vault_id, region, kind, name, size_bytes, sha256,
                                  encrypted, level, lock_reason, created_at, expires_at, stored_sha256, wrapped_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(id)
        .bind(self.account.id)
        .bind(&source.id)
        .bind(opts.vault)
        .bind(&source.region)
        .bind(kind)
        .bind(name)
        .bind(size)
        .bind(sha256)
        .bind(opts.encrypted)
        .bind(opts.level)
        .bind(opts.lock)
        .bind(created.timestamp_millis())
        .bind((created + Duration::days(30)).timestamp_millis())
        .bind(stored_sha256)
        .bind(wrapped_key)
        .execute(&mut **self.tx)
        .await?;
        Ok(())
    }
}

struct DemoResource {
    id: String,
    region: String,
}

#[derive(Clone, Copy)]
struct Backup<'v> {
    vault: Option<&'v str>,
    level: Option<i64>,
    lock: Option<&'static str>,
    encrypted: bool,
    age: Duration,
}

impl Default for Backup<'_> {
    fn default() -> Self {
        Self {
            vault: None,
            level: None,
            lock: None,
            encrypted: false,
            age: Duration::zero(),
        }
    }
}

/// Deterministic, incompressible-looking bytes for a resource (xorshift seeded by its id).
fn demo_bytes(id: &str, size: usize) -> Vec<u8> {
    let mut state = id.bytes().fold(0x9E37_79B9_7F4A_7C15_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(size);
    out
}
