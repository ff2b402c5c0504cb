// Idle logoff (clinic/idle.py): a minute before the session ends the page asks whether the
// user is still there; "Stay logged in" tells the server so; when the time is up the page goes
// to the login page, which says why. The server decides: before warning and before leaving,
// the page asks it how long is left (a request that does not count as activity), so a tab
// left open does not log out a colleague who is busy in another tab.
(function () {
  "use strict";
  const box = document.getElementById("idle-logoff");
  if (!box || !window.bootstrap) return;
  const data = box.dataset;
  const warningMs = Number(data.warningSeconds) * 1000;
  const idleMs = Number(data.secondsLeft) * 1000;
  const countdown = box.querySelector("[data-idle-countdown]");
  const modal = bootstrap.Modal.getOrCreateInstance(box, { backdrop: "static", keyboard: false });
  let deadline = Date.now() + idleMs;
  let timer = null;
  let ticker = null;

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, ms));
  }

  function leave() {
    window.location.assign(data.loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
  }

  async function ask(url, options) {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store", ...options });
      if (response.ok) {
        deadline = Date.now() + (await response.json()).seconds_left * 1000;
      }
    } catch (error) {
      // Offline for a moment: keep the page's own clock.
    }
  }

  function tick() {
    const seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    countdown.textContent = seconds + (seconds === 1 ? " second" : " seconds");
  }

  function warn() {
    tick();
    if (!box.classList.contains("show")) {
      modal.show();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
    }
  }

  function calmDown() {
    clearInterval(ticker);
    if (box.classList.contains("show")) modal.hide();
  }

  async function check() {
    await ask(data.statusUrl, { headers: { Accept: "application/json" } });
    const left = deadline - Date.now();
    if (left <= 0) return leave();
    if (left > warningMs) {
      calmDown();
      return schedule(left - warningMs);
    }
    warn();
    schedule(left + 250); // then ask again: gone, or kept alive from another tab
  }

  box.addEventListener("shown.bs.modal", function () {
    box.setAttribute("role", "alertdialog"); // Bootstrap sets "dialog"; this one interrupts
    box.querySelector("[data-idle-stay]").focus();
  });
  box.querySelector("[data-idle-stay]").addEventListener("click", async function () {
    await ask(data.keepAliveUrl, { method: "POST", headers: { "X-CSRFToken": data.csrfToken } });
    calmDown();
    schedule(deadline - Date.now() - warningMs);
  });
  // Every htmx request is activity the server has seen.
  document.body.addEventListener("htmx:afterRequest", function () {
    deadline = Date.now() + idleMs;
    if (!box.classList.contains("show")) schedule(deadline - Date.now() - warningMs);
  });

  schedule(idleMs - warningMs);
})();
