//! Flags that must agree with the state they summarise (issue 16, item 12): `is_tenant_admin`
//! follows the user's role assignments, and a zone that is not meant to be in the backend
//! says `unpublished` rather than `in_sync`.

use scaidns_client::types::{DomainCreateRequest, SyncStatusDto};
use scaidns_core::service::worker::SYNC_JOB;
use scaidns_tests::spawn_app;

#[tokio::test]
async fn is_tenant_admin_follows_the_assignment() {
    let app = spawn_app().await;
    // The fixture gives the user the tenant_admin role through an assignment only.
    let tenant = app.tenant_with_user("flags").await;
    let users = app
        .client
        .user_list(None, None, None, None, Some(&tenant.tenant_id))
        .await
        .unwrap()
        .into_inner();
    let user = users.data.iter().find(|u| u.id == tenant.user_id).unwrap();
    assert!(user.is_tenant_admin, "{user:?}");
    let me = tenant.client.me_get().await.unwrap().into_inner();
    assert!(me.data.is_tenant_admin, "{me:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_pending_zone_is_unpublished_not_in_sync() {
    let app = spawn_app().await;
    let tenant = app.tenant_with_user("unpub").await;
    let zone = tenant
        .client
        .zone_create(&DomainCreateRequest {
            cidr: None,
            name: "unpub.test".into(),
            domain_type: None,
            default_ttl: None,
            description: None,
            settings: None,
            skip_validation: None,
            template_id: None,
            template_variables: Default::default(),
            primaries: Vec::new(),
            tsig_algorithm: None,
            tsig_key_name: None,
            tsig_secret: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(zone.status.to_string(), "pending_validation");
    assert_eq!(zone.sync_status, SyncStatusDto::Unpublished);
    let live = app
        .client
        .zone_create(&DomainCreateRequest {
            cidr: None,
            name: "live.test".into(),
            domain_type: None,
            default_ttl: None,
            description: None,
            settings: None,
            skip_validation: None,
            template_id: None,
            template_variables: Default::default(),
            primaries: Vec::new(),
            tsig_algorithm: None,
            tsig_key_name: None,
            tsig_secret: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(live.sync_status, SyncStatusDto::InSync);
    app.stop().await;
}

#[tokio::test]
async fn serve_without_jobs_leaves_them_to_the_workers() {
    // Without jobs no job task is started at all (checking for job rows alone could pass
    // before a first pass ran); with jobs the task runs and its first pass records the sync
    // job's run (polled with a bound).
    let app = scaidns_tests::spawn_app_configured(scaidns_tests::TestOptions::default(), |c| {
        c.run_jobs = false
    })
    .await;
    assert!(!app.runs_jobs(), "--no-jobs started the job task");
    assert_eq!(
        app.client.health_live().await.unwrap().into_inner().status,
        "ok"
    );
    assert!(app.service().store().list_jobs().await.unwrap().is_empty());
    app.stop().await;

    let app = spawn_app().await;
    assert!(app.runs_jobs());
    // Waits for what it asserts: another job finishing first says nothing about the sync
    // job's row. The bound is generous: the first pass runs every job side by side, on a
    // CI host loaded by the rest of the suite.
    let sync_finished = |jobs: &[scaidns_core::ports::job_store::JobInfo]| {
        jobs.iter()
            .any(|j| j.name == SYNC_JOB && j.last_finished_at.is_some())
    };
    let mut jobs = Vec::new();
    for _ in 0..3000 {
        jobs = app.service().store().list_jobs().await.unwrap();
        if sync_finished(&jobs) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(sync_finished(&jobs), "{jobs:?}");
    app.stop().await;
}
