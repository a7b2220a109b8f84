// Autosave for the promotion-document editor. Progressive enhancement only:
// without it the Save buttons post the same forms. Every ~10 seconds a
// changed section is posted to its form's data-autosave URL with the
// version it was loaded at; the reply carries the new version, which goes
// back into the form. On a conflict autosave stops for that section and
// says so: saving with the button then shows both texts side by side.
(function () {
  "use strict";
  var status = document.getElementById("autosave-status");
  function say(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.className = "hint " + (bad ? "autosave-error" : "autosaved");
  }
  function words(s) {
    var t = s.trim();
    return t ? t.split(/\s+/).length : 0;
  }
  var forms = document.querySelectorAll("form[data-autosave]");
  Array.prototype.forEach.call(forms, function (form) {
    var area = form.querySelector("textarea[name=text]");
    var version = form.querySelector("input[name=version]");
    var count = form.querySelector(".word-count");
    if (!area || !version) return;
    var saved = area.value, busy = false, stopped = false;
    area.addEventListener("input", function () {
      if (count) count.textContent = String(words(area.value));
    });
    function save() {
      if (busy || stopped || area.value === saved) return;
      busy = true;
      var text = area.value;
      var body = new URLSearchParams();
      body.set("text", text);
      body.set("version", version.value);
      fetch(form.getAttribute("data-autosave"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
        body: body.toString()
      }).then(function (res) {
        return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; });
      }).then(function (r) {
        busy = false;
        if (r.ok) {
          saved = text;
          version.value = String(r.data.version);
          say("Saved at " + r.data.saved);
          return;
        }
        if (r.status === 409) stopped = true;
        say(r.data.error || "Not saved.", true);
      }).catch(function () {
        busy = false;
        say("Not saved: the server could not be reached. Your text is still here.", true);
      });
    }
    setInterval(save, 10000);
    form.addEventListener("submit", function () { stopped = true; });
  });
})();
