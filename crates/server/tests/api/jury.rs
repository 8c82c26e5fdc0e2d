//! The public jury (大众评审): tier 2 sends a complaint, volunteers are drawn and invited, vote
//! with identities hidden; the majority becomes the ruling, too few votes send it back; bad votes
//! get clear 4xx answers; parties never learn who sat.

use reqwest::StatusCode;
use serde_json::{Value, json};
use weiquan_domain::*;
use weiquan_store::NewUser;

use crate::both_backends;
use crate::helpers::*;

pub(crate) const VOLUNTEERS: [&str; 4] = ["juror01", "juror02", "juror03", "juror04"];

/// A marketplace with a small jury: panels of 3, two votes make a quorum, new accounts may sit,
/// and a quality complaint is major (so escalating once reaches tier 2).
pub(crate) async fn jury_app(backend: Backend) -> TestApp {
    let mut policy = Policy::from_toml(
        "[jury]\npanel_size = 3\nquorum = 2\nmin_account_days = 0\nvote = \"72h\"\nremind_before = \"24h\"\n\
         [major]\ncategories = [\"quality_defect\"]\n",
    )
    .unwrap();
    policy.reminders.before = vec![];
    let app = spawn_with(backend, policy, weiquan_store::blob::DEFAULT_MAX_BLOB).await;
    let hash = tokio::task::spawn_blocking(|| weiquan_server::auth::hash_password(PASSWORD))
        .await
        .unwrap();
    app.store
        .ensure_users(
            VOLUNTEERS
                .iter()
                .map(|u| NewUser {
                    username: Username::parse(u).unwrap(),
                    role: Role::Consumer,
                    display_name: format!("{u} 的昵称"),
                    password_hash: Some(hash.clone()),
                })
                .collect(),
            app.now(),
        )
        .await
        .unwrap();
    // Every volunteer opts in, and so do the complaining buyer and one who bought from the
    // shop: neither may sit on this shop's panel.
    for u in VOLUNTEERS.iter().chain(&["buyer01", "buyer02"]) {
        let t = app.login(u).await;
        let r = app
            .http
            .put(app.url("/api/v1/me/settings"))
            .bearer_auth(&t)
            .json(&json!({"juror": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(json_of(r, StatusCode::OK).await["juror"], true, "{u}");
    }
    app
}

/// A quality complaint in protection review, its words full of what a juror must not read.
pub(crate) async fn in_review(app: &TestApp) -> i64 {
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let mut body = complaint_body(
        &order("A1"),
        json!({"kind": "refund", "amount_cents": 8900}),
    );
    body["description"] = json!(format!(
        "我是buyer01，订单{}的保温杯漏水，联系电话13812345678，邮箱 buyer01@example.com，地址上海市浦东新区世纪大道100号。",
        order("A1")
    ));
    let r = app.file(&buyer, body).await;
    let id = json_of(r, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &seller,
        id,
        json!({"action": "reject", "message": "seller01：我们 shop-a 旗舰店 出厂都检验过，请拨打 021-55551234"}),
    )
    .await;
    let c = app.act_ok(&buyer, id, json!({"action": "escalate"})).await;
    assert_eq!(c["state"], "protection_review");
    let r = app
        .post(
            &buyer,
            &format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "商家 seller01 不接电话，我的手机是 139 8765 4321"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    id
}

/// Sends the complaint to a jury as tier 2; the panel as staff see it.
async fn send(app: &TestApp, id: i64, body: Value) -> Value {
    let guard = app.login("guard01").await;
    let r = app
        .post(&guard, &format!("/api/v1/complaints/{id}/jury"), body)
        .await;
    json_of(r, StatusCode::CREATED).await
}

fn seated(panel: &Value) -> Vec<String> {
    panel["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["juror"].as_str().unwrap().to_owned())
        .collect()
}

async fn kinds(app: &TestApp, token: &str) -> Vec<String> {
    let v = json_of(
        app.get(token, "/api/v1/notifications?limit=200").await,
        StatusCode::OK,
    )
    .await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(
    a_jury_rules_by_majority_and_jurors_are_scored,
    too_few_votes_go_back_to_a_specialist,
    only_tier_2_sends_what_the_policy_allows,
);

async fn a_jury_rules_by_majority_and_jurors_are_scored(backend: Backend) {
    let app = jury_app(backend).await;
    let id = in_review(&app).await;
    // A photo whose name would give the buyer away.
    let buyer = app.login("buyer01").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("buyer01-13812345678.png"),
        )
        .text("kind", "photo");
    let r = app
        .http
        .post(app.url(&format!("/api/v1/complaints/{id}/evidence")))
        .bearer_auth(&buyer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let photo = json_of(r, StatusCode::CREATED).await["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let panel = send(&app, id, json!({})).await;
    let jury = panel["id"].as_i64().unwrap();
    assert_eq!(panel["state"], "open");
    assert_eq!(panel["outcomes"], json!(["uphold", "reject"]));
    let jurors = seated(&panel);
    assert_eq!(jurors.len(), 3);
    // The party and the shop's other buyer volunteered but may not sit.
    for j in &jurors {
        assert!(VOLUNTEERS.contains(&j.as_str()), "{j} sits");
    }
    let outsider = VOLUNTEERS
        .iter()
        .find(|v| !jurors.iter().any(|j| j == *v))
        .unwrap();

    // Invitations reach the jurors; the parties hear it went to a jury.
    let mut tokens = vec![];
    for j in &jurors {
        let t = app.login(j).await;
        assert!(
            kinds(&app, &t).await.contains(&"jury_invited".to_owned()),
            "{j}"
        );
        tokens.push(t);
    }
    let buyer = app.login("buyer01").await;
    assert!(kinds(&app, &buyer).await.contains(&"jury_sent".to_owned()));
    let outsider_t = app.login(outsider).await;
    assert!(
        !kinds(&app, &outsider_t)
            .await
            .contains(&"jury_invited".to_owned())
    );

    // A juror reads the case with identities hidden.
    let seen = json_of(
        app.get(&tokens[0], &format!("/api/v1/juries/{jury}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        seen["seats"].is_null(),
        "a juror does not see who else sits"
    );
    assert!(
        seen["tally"].is_null(),
        "nor how others voted while it is open"
    );
    let case = seen["case"].to_string();
    assert!(case.contains("保温杯漏水"), "{case}");
    for hidden in [
        order("A1").as_str(),
        "buyer01",
        "seller01",
        "13812345678",
        "021-55551234",
        "139 8765 4321",
        "example.com",
        "世纪大道",
        "shop-a",
        "order-",
    ] {
        assert!(!case.contains(hidden), "{hidden} shown to a juror: {case}");
    }
    // The photo, by its hash and kind; the frozen order is not among the files a juror sees.
    assert_eq!(
        seen["case"]["files"],
        json!([{"sha256": photo, "kind": "photo", "content_type": "image/png", "size": PNG.len()}])
    );
    let r = app
        .get(
            &tokens[0],
            &format!("/api/v1/juries/{jury}/evidence/{photo}"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("content-disposition").is_none());
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    let guard = app.login("guard01").await;
    let files = json_of(
        app.get(&guard, &format!("/api/v1/complaints/{id}/evidence"))
            .await,
        StatusCode::OK,
    )
    .await;
    let snapshot = files
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "transaction_record")
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_error(
        app.get(
            &tokens[0],
            &format!("/api/v1/juries/{jury}/evidence/{snapshot}"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Not a juror: no such panel, and no vote.
    assert_error(
        app.get(&outsider_t, &format!("/api/v1/juries/{jury}"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let vote = |o: &str| json!({"outcome": o, "reason": "照片清楚显示杯底裂缝"});
    assert_error(
        app.post(
            &outsider_t,
            &format!("/api/v1/juries/{jury}/vote"),
            vote("uphold"),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get(&buyer, &format!("/api/v1/juries/{jury}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // While the jury sits, the specialist does not rule.
    let guard = app.login("guard01").await;
    assert_error(
        app.act(
            &guard,
            id,
            json!({"action": "rule", "decision": "reject", "rule_refs": ["x"]}),
        )
        .await,
        StatusCode::CONFLICT,
        "jury_sitting",
    )
    .await;

    // A bad vote names its fields; a partial vote is not on offer here.
    let r = app
        .post(
            &tokens[0],
            &format!("/api/v1/juries/{jury}/vote"),
            json!({"outcome": "partial", "reason": "好"}),
        )
        .await;
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(
        e.to_string().contains("outcome") && e.to_string().contains("reason"),
        "{e}"
    );

    json_of(
        app.post(
            &tokens[0],
            &format!("/api/v1/juries/{jury}/vote"),
            vote("uphold"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Twice: refused.
    assert_error(
        app.post(
            &tokens[0],
            &format!("/api/v1/juries/{jury}/vote"),
            vote("reject"),
        )
        .await,
        StatusCode::CONFLICT,
        "already_voted",
    )
    .await;
    // One leaves; after leaving, no vote.
    json_of(
        app.post(
            &tokens[1],
            &format!("/api/v1/juries/{jury}/leave"),
            json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_error(
        app.post(
            &tokens[1],
            &format!("/api/v1/juries/{jury}/vote"),
            vote("uphold"),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // The last juror seated votes: the panel closes at once and its majority rules.
    let closed = json_of(
        app.post(
            &tokens[2],
            &format!("/api/v1/juries/{jury}/vote"),
            vote("uphold"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["state"], "decided");
    assert_eq!(closed["decision"], "uphold");
    assert_eq!(
        closed["tally"],
        json!({"uphold": 2, "partial": 0, "reject": 0})
    );

    let c = json_of(
        app.get(&buyer, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "resolved");
    let res = &c["progress"]["resolution"];
    assert_eq!(res["by"], "ruling");
    assert_eq!(res["decision"], "uphold");
    assert_eq!(
        res["remedy"],
        json!({"kind": "refund", "amount_cents": 8900})
    );
    assert_eq!(
        res["rule_refs"],
        json!([format!(
            "大众评审裁决（评审团 #{jury}，2:0）/ public jury ruling (panel #{jury}, 2:0)"
        )])
    );
    assert!(kinds(&app, &buyer).await.contains(&"ruled".to_owned()));

    // The parties see the tally and the reasons, never who sat.
    let events = json_of(
        app.get(&buyer, &format!("/api/v1/complaints/{id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    let ruled = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "ruled")
        .unwrap();
    assert_eq!(ruled["data"]["tally"]["uphold"], 2);
    assert_eq!(ruled["data"]["reasons"].as_array().unwrap().len(), 2);
    let all = events.to_string();
    for j in &jurors {
        assert!(!all.contains(j.as_str()), "{j} named to a party");
    }
    let seat_ids: Vec<i64> = panel["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["juror_id"].as_i64().unwrap())
        .collect();
    for e in events.as_array().unwrap() {
        for sid in &seat_ids {
            assert_ne!(
                e["actor"],
                format!("user:{sid}"),
                "a juror's id as an actor"
            );
        }
    }

    // The merchant appeals; another ruling (any specialist: a jury, not a person, ruled)
    // decides the final outcome, against which the jurors are scored.
    let seller = app.login("seller01").await;
    app.act_ok(
        &seller,
        id,
        json!({"action": "appeal", "reason": "评审员不了解产品"}),
    )
    .await;
    app.act_ok(
        &guard,
        id,
        json!({"action": "rule", "decision": "reject", "rule_refs": ["质量问题判定标准"], "reason": "检测报告显示合格"}),
    )
    .await;
    let records = json_of(app.get(&guard, "/api/v1/jurors").await, StatusCode::OK).await;
    let rec = |name: &str| {
        records
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["juror"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(rec(&jurors[0])["scored"], 1);
    assert_eq!(rec(&jurors[0])["agreed"], 0);
    assert_eq!(rec(&jurors[0])["agreement"], 0.0);
    assert_eq!(rec(&jurors[1])["left"], 1);
    assert_eq!(rec(&jurors[1])["scored"], 0);
    assert!(rec(&jurors[1])["agreement"].is_null());
    assert_eq!(rec(outsider)["panels"], 0);
    // Only tier 2 and admins read jurors' records and a panel's chain.
    assert_error(
        app.get(&buyer, "/api/v1/jurors").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let chain = json_of(
        app.get(&guard, &format!("/api/v1/juries/{jury}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    let chain_kinds: Vec<&str> = chain
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        chain_kinds,
        [
            "jury_drawn",
            "juror_voted",
            "juror_left",
            "juror_voted",
            "jury_decided",
            "jurors_scored"
        ]
    );
    assert_eq!(chain[0]["data"]["seed"].as_str().unwrap().len(), 64);
    // The draw can be re-run from what the chain recorded.
    let pool: Vec<UserId> = serde_json::from_value(chain[0]["data"]["pool"].clone()).unwrap();
    let seed = hex::decode(chain[0]["data"]["seed"].as_str().unwrap()).unwrap();
    let again = weiquan_domain::jury::draw(&pool, 3, &seed).unwrap();
    assert_eq!(
        serde_json::to_value(again).unwrap(),
        chain[0]["data"]["seats"]
    );
    assert_error(
        app.get(&buyer, &format!("/api/v1/juries/{jury}/events"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Every chain still verifies.
    assert!(app.store.verify().await.unwrap().is_ok());
}

async fn too_few_votes_go_back_to_a_specialist(backend: Backend) {
    let app = jury_app(backend).await;
    let id = in_review(&app).await;
    let panel = send(
        &app,
        id,
        json!({"partial_remedy": {"kind": "refund", "amount_cents": 4000}}),
    )
    .await;
    let jury = panel["id"].as_i64().unwrap();
    assert_eq!(panel["outcomes"], json!(["uphold", "partial", "reject"]));
    let jurors = seated(&panel);
    let first = app.login(&jurors[0]).await;
    let second = app.login(&jurors[1]).await;
    json_of(
        app.post(
            &first,
            &format!("/api/v1/juries/{jury}/vote"),
            json!({"outcome": "partial", "reason": "确有瑕疵但可使用"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // 24 hours before the vote closes, those who have not voted are reminded.
    app.advance(chrono::Duration::hours(49));
    app.fire().await;
    assert!(kinds(&app, &second).await.contains(&"reminder".to_owned()));
    assert!(!kinds(&app, &first).await.contains(&"reminder".to_owned()));
    // Past the deadline, before the loop closes it: too late, and the deadline is named.
    app.advance(chrono::Duration::hours(24));
    let r = app
        .http
        .post(app.url(&format!("/api/v1/juries/{jury}/vote")))
        .bearer_auth(&second)
        .header("Accept-Language", "en")
        .json(&json!({"outcome": "uphold", "reason": "照片清楚显示裂缝"}))
        .send()
        .await
        .unwrap();
    let e = assert_error(r, StatusCode::CONFLICT, "vote_closed").await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("China time"),
        "{e}"
    );
    // The deadline fires: one vote is short of the quorum of two.
    app.fire().await;
    let guard = app.login("guard01").await;
    let c = json_of(
        app.get(&guard, &format!("/api/v1/complaints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "protection_review");
    assert!(c["progress"]["jury"].is_null(), "{c}");
    assert_eq!(c["next_actor"], "protection");
    let events = json_of(
        app.get(&guard, &format!("/api/v1/complaints/{id}/events"))
            .await,
        StatusCode::OK,
    )
    .await;
    let back = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "jury_returned")
        .expect("an event says it came back");
    assert_eq!(back["data"]["why"], "no_quorum");
    let buyer = app.login("buyer01").await;
    assert!(
        kinds(&app, &buyer)
            .await
            .contains(&"jury_returned".to_owned())
    );
    let panel = json_of(
        app.get(&guard, &format!("/api/v1/juries/{jury}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(panel["state"], "returned");
    // Closed: no more votes, and the juror who let it pass counts a miss.
    assert_error(
        app.post(
            &second,
            &format!("/api/v1/juries/{jury}/vote"),
            json!({"outcome": "uphold", "reason": "照片清楚显示裂缝"}),
        )
        .await,
        StatusCode::CONFLICT,
        "jury_closed",
    )
    .await;
    let records = json_of(app.get(&guard, "/api/v1/jurors").await, StatusCode::OK).await;
    let missed: u64 = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["missed"].as_u64().unwrap())
        .sum();
    assert_eq!(missed, 2);
    // The specialist rules as without a jury, and a complaint goes to a jury once.
    assert_error(
        app.post(&guard, &format!("/api/v1/complaints/{id}/jury"), json!({}))
            .await,
        StatusCode::CONFLICT,
        "jury_used",
    )
    .await;
    let c = app
        .act_ok(
            &guard,
            id,
            json!({"action": "rule", "decision": "partial", "remedy": {"kind": "refund", "amount_cents": 4000}, "rule_refs": ["质量问题判定标准"]}),
        )
        .await;
    assert_eq!(c["state"], "resolved");
    assert!(app.store.verify().await.unwrap().is_ok());
}

async fn only_tier_2_sends_what_the_policy_allows(backend: Backend) {
    let app = jury_app(backend).await;
    let buyer = app.login("buyer01").await;
    let seller = app.login("seller01").await;
    let guard = app.login("guard01").await;
    // A merchant cannot volunteer.
    let r = app
        .http
        .put(app.url("/api/v1/me/settings"))
        .bearer_auth(&seller)
        .json(&json!({"juror": true}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    // Not yet in protection review.
    let early = app
        .file_ok(
            &buyer,
            "A2",
            json!({"kind": "refund", "amount_cents": 8900}),
        )
        .await;
    assert_error(
        app.post(
            &guard,
            &format!("/api/v1/complaints/{early}/jury"),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_state",
    )
    .await;
    let id = in_review(&app).await;
    // Only tier 2 sends.
    assert_error(
        app.post(&buyer, &format!("/api/v1/complaints/{id}/jury"), json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // A partial remedy above the claim is refused with its field named.
    let r = app
        .post(
            &guard,
            &format!("/api/v1/complaints/{id}/jury"),
            json!({"partial_remedy": {"kind": "refund", "amount_cents": 9000}}),
        )
        .await;
    let e = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(e.to_string().contains("partial_remedy"), "{e}");
    // A claim above the policy's amount is not the jury's unless both sides agree.
    let big = {
        let mut body = complaint_body(
            &order("A3"),
            json!({"kind": "compensation", "amount_cents": 60000}),
        );
        body["category"] = json!("quality_defect");
        let r = app.file(&buyer, body).await;
        let big = json_of(r, StatusCode::CREATED).await["id"]
            .as_i64()
            .unwrap();
        app.act_ok(
            &seller,
            big,
            json!({"action": "reject", "message": "不同意"}),
        )
        .await;
        app.act_ok(&buyer, big, json!({"action": "escalate"})).await;
        big
    };
    assert_error(
        app.post(&guard, &format!("/api/v1/complaints/{big}/jury"), json!({}))
            .await,
        StatusCode::CONFLICT,
        "jury_not_eligible",
    )
    .await;
    // Both sides agreeing makes it eligible; this volunteer pool fills one panel of this shop…
    send(&app, big, json!({"both_sides_agree": true})).await;
    // …and no volunteer sits on two open panels of the same shop: too few remain.
    assert_error(
        app.post(&guard, &format!("/api/v1/complaints/{id}/jury"), json!({}))
            .await,
        StatusCode::CONFLICT,
        "not_enough_jurors",
    )
    .await;
}
