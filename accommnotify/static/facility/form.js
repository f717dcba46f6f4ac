/* Progressive enhancement of the facility stay form. Everything also works without this file:
   the buttons submit the form and the server re-renders it. With it, adding/removing a guest
   and filling a guest from a scan happen instantly (the scan is parsed by the server's parser). */
(function () {
  "use strict";

  function qsa(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function guestBoxes(form) { return qsa(form, "fieldset.guest"); }

  function syncKind(box) {
    var foreigner = box.querySelector(".kind-foreigner");
    box.classList.toggle("js-foreigner", !!(foreigner && foreigner.checked));
    box.classList.toggle("js-citizen", !(foreigner && foreigner.checked));
  }

  function renumber(form) {
    var template = document.getElementById("guest-template");
    var base = template ? template.content.querySelector("legend").textContent.trim() : null;
    guestBoxes(form).forEach(function (box, n) {
      if (base) { box.querySelector("legend").textContent = base + " " + (n + 1); }
    });
  }

  function nextIndex(form) {
    var max = -1;
    guestBoxes(form).forEach(function (box) {
      var i = parseInt(box.getAttribute("data-index"), 10);
      if (!isNaN(i) && i > max) { max = i; }
    });
    return max + 1;
  }

  function addGuest(form) {
    var template = document.getElementById("guest-template");
    var index = nextIndex(form);
    var html = template.innerHTML.replace(/__i__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var box = holder.querySelector("fieldset.guest");
    form.querySelector("#guests").appendChild(box);
    syncKind(box);
    renumber(form);
    var name = box.querySelector('input[name$="-full_name"]');
    if (name) { name.focus(); }
  }

  function setStatus(box, text, bad) {
    var status = box.querySelector(".scan-status");
    if (status) {
      status.textContent = text;
      status.classList.toggle("error", !!bad);
    }
    var scan = box.querySelector("textarea.scan");
    if (scan) {
      if (bad) { scan.setAttribute("aria-invalid", "true"); } else { scan.removeAttribute("aria-invalid"); }
    }
  }

  function fill(form, box) {
    var scan = box.querySelector("textarea.scan");
    var text = scan ? scan.value : "";
    if (!text.trim()) { return; }
    var index = box.getAttribute("data-index");
    fetch(form.getAttribute("data-scan-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(form), "Accept": "application/json"},
      body: JSON.stringify({text: text})
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (!data.ok) { setStatus(box, data.message, true); return; }
      Object.keys(data.fields).forEach(function (key) {
        var value = data.fields[key];
        if (value === null || value === undefined || String(value).trim() === "") { return; }
        if (key === "kind") {
          var radio = box.querySelector('input[type="radio"][value="' + value + '"]');
          if (radio) { radio.checked = true; syncKind(box); }
          return;
        }
        var el = form.querySelector("#g-" + index + "-" + key);
        if (el) { el.value = value; el.removeAttribute("aria-invalid"); }
      });
      scan.value = "";
      setStatus(box, data.message, false);
    }).catch(function () {
      // Network trouble: fall back to the server round trip.
      var button = box.querySelector(".fill-scan");
      if (button) { form.requestSubmit ? form.requestSubmit(button) : button.click(); }
    });
  }

  function looksComplete(text) {
    var t = text.replace(/\r/g, "").trim();
    if (t.indexOf("|") >= 0) { return /^[^|]*(\|[^|]*){6}$/.test(t) && /\d{8}$/.test(t); }
    var lines = t.split(/\n+/);
    return lines.length === 2 && lines[0].trim().length === 44 && lines[1].trim().length === 44;
  }

  function enhance(form) {
    guestBoxes(form).forEach(syncKind);
    var timers = {};

    form.addEventListener("change", function (event) {
      if (event.target.matches('input[type="radio"][name$="-kind"]')) {
        syncKind(event.target.closest("fieldset.guest"));
      }
    });

    form.addEventListener("input", function (event) {
      var target = event.target;
      if (!target.matches("textarea.scan")) { return; }
      var box = target.closest("fieldset.guest");
      var key = box.getAttribute("data-index");
      clearTimeout(timers[key]);
      if (!target.value.trim()) { setStatus(box, "", false); }
      if (looksComplete(target.value)) {
        timers[key] = setTimeout(function () { fill(form, box); }, 250);
      }
    });

    form.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !form.contains(button)) { return; }
      if (button.id === "add-guest" && document.getElementById("guest-template")) {
        event.preventDefault();
        addGuest(form);
      } else if (button.classList.contains("remove-guest")) {
        event.preventDefault();
        if (guestBoxes(form).length > 1) {
          button.closest("fieldset.guest").remove();
          renumber(form);
        }
      } else if (button.classList.contains("fill-scan")) {
        event.preventDefault();
        fill(form, button.closest("fieldset.guest"));
      }
    });

    var focus = form.getAttribute("data-focus");
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    else if (focus && document.getElementById(focus)) { document.getElementById(focus).focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    qsa(document, "form.stay-form").forEach(enhance);
  });
})();
