//! The admin's accounts page in Chromium: find a staff member by name, change their role and
//! stay on the same list, disable an account (it can no longer sign in), reset a password;
//! the policy in words; the merchant's queue with its filters, shop column and "new" marker.

use serde_json::json;

use crate::page::{Run, Walk};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_accounts_in_chromium() {
    let mut r = Run::start("admin").await;
    walk(&mut r.w).await;
    r.close().await;
}

async fn id_of(w: &Walk, name: &str) -> i64 {
    w.app
        .store
        .user_by_username(name)
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

async fn url(w: &Walk) -> String {
    w.b.current_url().await.unwrap().to_string()
}

async fn walk(w: &mut Walk) {
    w.sign_in("admin").await;
    w.go("/admin/users").await;
    // Staff first: the list opens on the staff, not on page 3 behind every buyer.
    assert!(
        w.exists(&format!("#user-{}", id_of(w, "guard02").await))
            .await
    );
    assert!(
        !w.exists(&format!("#user-{}", id_of(w, "buyer01").await))
            .await
    );
    w.shoot("admin-accounts").await;
    w.shoot_phone("admin-accounts").await;

    // Search a staff member by name.
    w.fill("#user-filters input[name=q]", "guard").await;
    w.click("#user-filters button").await;
    assert!(url(w).await.contains("q=guard"), "{}", url(w).await);
    let guard02 = id_of(w, "guard02").await;
    assert!(w.exists(&format!("#user-{guard02}")).await);
    assert!(
        !w.exists(&format!("#user-{}", id_of(w, "agent01").await))
            .await
    );
    w.shoot("admin-accounts-search").await;

    // A role change comes back to the same search, with a notice; no POST address is left.
    w.select(&format!("#user-{guard02} .role-form select"), "regulator")
        .await;
    w.click(&format!("#user-{guard02} .role-form button")).await;
    let here = url(w).await;
    assert!(here.contains("/admin/users?q=guard&role=staff"), "{here}");
    assert!(!here.contains("/role"), "{here}");
    assert!(w.text("#notice").await.contains("guard02"));
    assert_eq!(
        w.el(&format!("#user-{guard02} .role-form select"))
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("regulator")
    );
    w.shoot("admin-accounts-role-changed").await;

    // Disable an account: it is marked, and it can no longer sign in.
    let agent = id_of(w, "agent01").await;
    w.fill("#user-filters input[name=q]", "agent01").await;
    w.click("#user-filters button").await;
    w.click(&format!("#user-{agent} .disable-form button"))
        .await;
    assert!(w.text("#notice").await.contains("已停用账号"));
    assert!(w.text(&format!("#user-{agent}")).await.contains("已停用"));
    w.shoot("admin-accounts-disabled").await;
    w.shoot_phone("admin-accounts-disabled").await;

    // Reset guard01's password to a temporary one the admin tells them.
    let guard01 = id_of(w, "guard01").await;
    w.go("/admin/users?q=guard01").await;
    w.fill(
        &format!("#user-{guard01} .password-form input[name=password]"),
        "temporary-pass-42",
    )
    .await;
    w.click(&format!("#user-{guard01} .password-form button"))
        .await;
    assert!(w.text("#notice").await.contains("已重设密码"));
    w.sign_out().await;

    // The disabled account is refused at the door.
    w.fill("#username", "agent01").await;
    w.fill("#password", crate::helpers::PASSWORD).await;
    w.click("#sign-in").await;
    assert!(w.text("#error").await.contains("用户名或密码错误"));
    // The reset one signs in with the temporary password only.
    w.go("/login").await;
    w.fill("#username", "guard01").await;
    w.fill("#password", "temporary-pass-42").await;
    w.click("#sign-in").await;
    assert!(w.exists("#sign-out").await);
    w.sign_out().await;

    // The policy, in words.
    w.sign_in("admin").await;
    w.go("/admin/policy").await;
    assert!(w.text("#policy-deadlines").await.contains("2天"));
    assert!(
        !w.el("#policy-source pre")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
    w.shoot("admin-policy").await;
    w.shoot_phone("admin-policy").await;
    w.sign_out().await;

    // The merchant's queue: a shop column, "new" on what waits for them, filters in the URL.
    let buyer = w.app.login("buyer01").await;
    let id = w
        .app
        .file_ok(
            &buyer,
            "A1",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    w.sign_in("seller01").await;
    w.go("/complaints").await;
    assert!(w.text("#queue").await.contains("shop-a 旗舰店"));
    assert!(
        w.exists(&format!("#queue a[data-id=\"{id}\"] + .new-complaint"))
            .await
    );
    w.select("#queue-filters select[name=state]", "awaiting_merchant")
        .await;
    w.click("#queue-filters button").await;
    assert!(url(w).await.contains("state=awaiting_merchant"));
    assert!(w.exists(&format!("#queue a[data-id=\"{id}\"]")).await);
    w.shoot("merchant-queue-filtered").await;
    w.shoot_phone("merchant-queue-filtered").await;
    w.sign_out().await;
}
