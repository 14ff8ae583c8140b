//! `scaidns login`/`logout` and the config file (a later command needs no `--api-key`), and
//! `scaidns completions` for each shell.

use std::path::Path;
use std::process::{Output, Stdio};

use scaidns_tests::spawn_app;
use tokio::io::AsyncWriteExt;

/// Runs `scaidns args…` with `XDG_CONFIG_HOME=config_home`, nothing from the caller's
/// environment, and `stdin` on standard input.
async fn scaidns(config_home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(args)
        .env_remove("SCAIDNS_URL")
        .env_remove("SCAIDNS_API_KEY")
        .env_remove("SCAIDNS_PROFILE")
        .env_remove("SCAIDNS_CONFIG")
        .env("XDG_CONFIG_HOME", config_home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scaidns");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    child.wait_with_output().await.expect("run scaidns")
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn login_writes_a_0600_profile_that_later_commands_use() {
    let app = spawn_app().await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("scaidns").join("config.toml");

    // A key the server refuses is not stored.
    let refused = scaidns(
        home.path(),
        &["login", "--url", &app.base_url],
        "sk_wrong\n",
    )
    .await;
    assert_eq!(code(&refused), 4, "{}", text(&refused.stderr));
    assert!(!file.exists());

    let login = scaidns(
        home.path(),
        &["login", "--profile", "work", "--url", &app.base_url],
        &format!("{}\n", app.admin_key),
    )
    .await;
    assert_eq!(code(&login), 0, "{}", text(&login.stderr));
    let said = format!("{}{}", text(&login.stdout), text(&login.stderr));
    assert!(
        said.contains("logged in") && said.contains("\"work\""),
        "{said}"
    );
    assert!(!said.contains(&app.admin_key), "the key is never printed");
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
    }
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(
        stored.contains("[profiles.work]") && stored.contains("default_profile = \"work\""),
        "{stored}"
    );

    // No --url, no --api-key: the default profile answers.
    let listed = scaidns(home.path(), &["domains", "create", "login.test"], "").await;
    assert_eq!(code(&listed), 0, "{}", text(&listed.stderr));
    let listed = scaidns(home.path(), &["domains", "list"], "").await;
    assert!(
        text(&listed.stdout).contains("login.test"),
        "{}",
        text(&listed.stdout)
    );
    let named = scaidns(home.path(), &["--profile", "work", "whoami"], "").await;
    assert_eq!(code(&named), 0, "{}", text(&named.stderr));

    // The stored key goes only to its own server: another --url gets no key.
    let elsewhere = scaidns(
        home.path(),
        &["--url", "http://127.0.0.1:9", "domains", "list"],
        "",
    )
    .await;
    assert_eq!(code(&elsewhere), 2, "{}", text(&elsewhere.stderr));
    assert!(text(&elsewhere.stderr).contains("API key is needed"));
    // The same server spelled differently (trailing slash) still gets the stored key.
    let slash = format!("{}/", app.base_url);
    let same = scaidns(home.path(), &["--url", &slash, "whoami"], "").await;
    assert_eq!(code(&same), 0, "{}", text(&same.stderr));
    // ...and the refusal above says why the stored key was withheld.
    assert!(
        text(&elsewhere.stderr).contains("not sent"),
        "{}",
        text(&elsewhere.stderr)
    );
    // A key from the flag or the environment never goes to the profile's URL.
    let flagged = scaidns(
        home.path(),
        &["--api-key", "sk_other", "domains", "list"],
        "",
    )
    .await;
    assert_eq!(code(&flagged), 2, "{}", text(&flagged.stderr));
    assert!(
        text(&flagged.stderr).contains("has no URL"),
        "{}",
        text(&flagged.stderr)
    );
    // ...but pairs with an explicit URL (a wrong key then reaches the server and is refused).
    let paired = scaidns(
        home.path(),
        &["--url", &app.base_url, "--api-key", "sk_wrong", "whoami"],
        "",
    )
    .await;
    assert_eq!(code(&paired), 4, "{}", text(&paired.stderr));
    // A named profile that both flags would override is refused, not ignored.
    let mixed = scaidns(
        home.path(),
        &[
            "--profile",
            "work",
            "--url",
            &app.base_url,
            "--api-key",
            "sk_x",
            "whoami",
        ],
        "",
    )
    .await;
    assert_eq!(code(&mixed), 2, "{}", text(&mixed.stderr));
    assert!(text(&mixed.stderr).contains("would be ignored"));
    let unknown = scaidns(home.path(), &["--profile", "nope", "domains", "list"], "").await;
    assert_eq!(code(&unknown), 2);
    assert!(text(&unknown.stderr).contains("no profile \"nope\""));

    let logout = scaidns(home.path(), &["logout"], "").await;
    assert_eq!(code(&logout), 0, "{}", text(&logout.stderr));
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains(&app.admin_key)
    );
    let after = scaidns(home.path(), &["domains", "list"], "").await;
    assert_eq!(code(&after), 2, "logged out: no key any more");
}

#[tokio::test]
async fn login_refuses_plain_http_to_another_host_and_warns_about_a_key_in_argv() {
    let app = spawn_app().await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("scaidns").join("config.toml");

    let plain = scaidns(
        home.path(),
        &["login", "--url", "http://dns.example.test"],
        "sk_x\n",
    )
    .await;
    assert_eq!(code(&plain), 2, "{}", text(&plain.stderr));
    assert!(
        text(&plain.stderr).contains("plain http"),
        "{}",
        text(&plain.stderr)
    );
    assert!(!file.exists());

    // Loopback over http is fine; a key typed as --api-key is stored with a warning.
    let argv = scaidns(
        home.path(),
        &["login", "--url", &app.base_url, "--api-key", &app.admin_key],
        "",
    )
    .await;
    assert_eq!(code(&argv), 0, "{}", text(&argv.stderr));
    assert!(
        text(&argv.stderr).contains("visible to other users"),
        "{}",
        text(&argv.stderr)
    );

    // A too-long line on standard input gets its own message.
    let long = scaidns(
        home.path(),
        &["login", "--url", &app.base_url],
        &"k".repeat(5000),
    )
    .await;
    assert_eq!(code(&long), 2);
    assert!(
        text(&long.stderr).contains("longer than"),
        "{}",
        text(&long.stderr)
    );
}

#[tokio::test]
async fn completions_produce_a_script_for_each_shell() {
    let home = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F _scaidns"),
        ("zsh", "#compdef scaidns"),
        ("fish", "complete -c scaidns"),
    ] {
        let out = scaidns(home.path(), &["completions", shell], "").await;
        assert_eq!(code(&out), 0, "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(
            script.contains(marker),
            "{shell}: {}",
            &script[..200.min(script.len())]
        );
        // The script knows the new command groups.
        assert!(script.contains("authoritative-domains"), "{shell}");
    }
    let out = scaidns(home.path(), &["completions", "tcsh"], "").await;
    assert_eq!(code(&out), 2);
}
