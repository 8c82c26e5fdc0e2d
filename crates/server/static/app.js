// weiquan: a little plain JavaScript. Loaded in <head>, so the error recorder runs first.
(function () {
  "use strict";
  // Errors of this page (script errors, failed loads, blocked content), for the browser tests.
  window.wqErrors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    var what = e.message || (t && (t.src || t.href) ? "failed to load " + (t.src || t.href) : "error");
    window.wqErrors.push(String(what));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { window.wqErrors.push("unhandled rejection: " + e.reason); });
  window.addEventListener("securitypolicyviolation", function (e) { window.wqErrors.push("CSP: " + e.violatedDirective + " " + e.blockedURI); });
  var consoleError = console.error;
  console.error = function () {
    window.wqErrors.push(Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };

  function span(ms, zh) {
    var s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    if (zh) return d > 0 ? d + "天" + h + "小时" : h + "小时" + m + "分" + sec + "秒";
    return d > 0 ? d + " d " + h + " h" : h + " h " + m + " min " + sec + " s";
  }

  // Countdowns to a deadline, every second.
  function tick() {
    var els = document.querySelectorAll(".countdown[data-deadline]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i], zh = el.getAttribute("data-lang") !== "en";
      var left = Date.parse(el.getAttribute("data-deadline")) - Date.now();
      if (isNaN(left)) continue;
      el.textContent = left >= 0 ? (zh ? "剩余 " : "") + span(left, zh) + (zh ? "" : " left")
                                 : (zh ? "已超时 " : "overdue by ") + span(left, zh);
      el.classList.toggle("late", left < 0);
    }
  }

  function chat(form) {
    var turns = document.getElementById("chat-turns"), input = document.getElementById("chat-text"),
        sid = document.getElementById("chat-session"), status = document.getElementById("chat-status"),
        filed = document.getElementById("chat-filed"), errBox = document.getElementById("chat-error");
    var en = form.getAttribute("data-lang") === "en", sock = null, live = false;
    function add(role, text) {
      var li = document.createElement("li"), who = document.createElement("span"), body = document.createElement("span");
      li.className = "turn " + role;
      who.className = "who";
      who.textContent = turns.getAttribute("data-" + (role === "consumer" ? "you" : role));
      body.className = "body";
      body.textContent = text;
      li.appendChild(who);
      li.appendChild(body);
      turns.appendChild(li);
      li.scrollIntoView({ block: "end" });
    }
    function showStatus(h) {
      if (!h) return;
      status.textContent = h.status === "taken" ? (en ? "An agent has joined" : "客服已接入")
                                                : (en ? "Handed over: waiting for an agent" : "已转人工，正在等待客服接入");
    }
    function showFiled(id) {
      var a = document.createElement("a");
      a.id = "chat-complaint";
      a.href = "/complaints/" + id;
      a.textContent = (en ? "See the filed complaint #" : "查看已提交的投诉 #") + id;
      filed.textContent = "";
      filed.appendChild(a);
      filed.hidden = false;
    }
    sock = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/assistant/ws");
    sock.onopen = function () {
      live = true;
      form.setAttribute("data-live", "1");
      // A reloaded conversation: hear what the agent says in it.
      if (sid.value) sock.send(JSON.stringify({ session_id: sid.value }));
    };
    sock.onclose = function () { live = false; form.removeAttribute("data-live"); };
    sock.onmessage = function (m) {
      var v;
      try { v = JSON.parse(m.data); } catch (e) { return; }
      if (v.error) {
        errBox.textContent = v.error.message;
        errBox.hidden = false;
        return;
      }
      errBox.hidden = true;
      if (v.watching !== undefined) return;
      if (v.event) {
        if (v.turn) add("agent", v.turn.body);
        showStatus(v.handover);
        return;
      }
      if (sid.value !== v.session_id) {
        // A reload, or the language switch, comes back to this conversation.
        sid.value = v.session_id;
        var here = "/chat?session=" + encodeURIComponent(v.session_id);
        history.replaceState(null, "", here);
        var lang = document.getElementById("lang-en") || document.getElementById("lang-zh");
        if (lang) lang.href = lang.href.replace(/next=[^&]*/, "next=" + encodeURIComponent(here));
      }
      // Empty while an agent has the chat and 小蜜 keeps quiet.
      if (v.reply) add("assistant", v.reply);
      showStatus(v.handover);
      if (v.complaint_id) showFiled(v.complaint_id);
    };
    form.addEventListener("submit", function (e) {
      if (!live) return;
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      var msg = { text: text };
      if (sid.value) msg.session_id = sid.value;
      sock.send(JSON.stringify(msg));
      add("consumer", text);
      input.value = "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);

    // A preview of the chosen evidence file before it is uploaded.
    var file = document.getElementById("evidence-file"), preview = document.getElementById("evidence-preview");
    if (file && preview) {
      file.addEventListener("change", function () {
        preview.textContent = "";
        var f = file.files && file.files[0];
        if (!f) return;
        var kind = document.getElementById("evidence-kind");
        if (f.type.indexOf("image/") === 0) {
          var img = document.createElement("img");
          img.alt = f.name;
          img.src = URL.createObjectURL(f);
          preview.appendChild(img);
          if (kind) kind.value = "photo";
        } else if (f.type.indexOf("video/") === 0) {
          var v = document.createElement("video");
          v.controls = true;
          v.src = URL.createObjectURL(f);
          preview.appendChild(v);
          if (kind) kind.value = "video";
        } else {
          preview.textContent = f.name + " (" + Math.ceil(f.size / 1024) + " KB)";
        }
      });
    }

    // The chat with 客服小蜜 over its WebSocket; without one the form simply posts.
    var chatForm = document.getElementById("chat-form");
    if (chatForm && window.WebSocket) chat(chatForm);

    // An agent's view of a handed-over chat: the consumer's new words as they come.
    var handover = document.getElementById("handover-turns");
    if (handover && window.EventSource) {
      var after = Number(handover.getAttribute("data-after")) || 0;
      var hsrc = new EventSource(handover.getAttribute("data-stream") + "?after=" + after);
      hsrc.addEventListener("chat", function (e) {
        var v;
        try { v = JSON.parse(e.data); } catch (err) { return; }
        var st = document.getElementById("handover-status");
        if (st && v.status) st.textContent = v.status;
        (v.turns || []).forEach(function (t) {
          if (t.seq <= after) return;
          after = t.seq;
          var li = document.createElement("li"), who = document.createElement("span"), body = document.createElement("span");
          li.className = "turn " + t.role;
          who.className = "who";
          who.textContent = t.who + " · " + t.at;
          body.className = "body";
          body.textContent = t.body;
          li.appendChild(who);
          li.appendChild(body);
          handover.appendChild(li);
        });
      });
      window.addEventListener("pagehide", function () { hsrc.close(); });
    }

    // The header's unread count, pushed by the server whenever it changes (EventSource
    // reconnects by itself after a dropped connection).
    var badge = document.getElementById("unread-count");
    if (badge && window.EventSource) {
      var src = new EventSource(badge.getAttribute("data-stream"));
      src.addEventListener("unread", function (e) {
        var n = Number(e.data);
        if (isNaN(n)) return;
        badge.textContent = String(n);
        badge.classList.toggle("zero", n === 0);
      });
      window.addEventListener("pagehide", function () { src.close(); });
    }

    // A hint while the description is still too short to act on.
    var desc = document.getElementById("description"), hint = document.getElementById("description-hint");
    if (desc && hint) {
      var check = function () { hint.hidden = desc.value.trim().length >= Number(desc.getAttribute("data-min") || 20) || desc.value.length === 0; };
      desc.addEventListener("input", check);
      check();
    }
  });
})();
