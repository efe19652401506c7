// The recordings page's recorder: the browser's microphone (MediaRecorder), one take per clip,
// sent to the console, which converts and stores it (hotline/staff/audio.py). Our own few lines,
// no library; the CSP allows only scripts from this site.
"use strict";
(function () {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (!window.MediaRecorder || !navigator.mediaDevices) {
    document.querySelectorAll("button[data-record]").forEach(function (button) {
      button.disabled = true;
      button.nextElementSibling.textContent = "This browser cannot record: upload a file instead.";
    });
    return;
  }
  var active = null; // {button, recorder, stream, timer}

  function say(button, text) { button.nextElementSibling.textContent = text; }

  function send(button, blob, type) {
    var form = new FormData();
    var extension = type.indexOf("ogg") >= 0 ? "ogg" : (type.indexOf("mp4") >= 0 ? "m4a" : "webm");
    form.append("audio", blob, "take." + extension);
    say(button, "Saving…");
    fetch(button.dataset.record, { method: "POST", body: form, credentials: "same-origin",
                                   headers: { "X-CSRFToken": token ? token.content : "", "X-Requested-With": "recorder" } })
      .then(function (r) { return r.json().catch(function () { return { ok: false, message: "The console did not answer (" + r.status + ")." }; }); })
      .then(function (answer) {
        say(button, answer.message);
        if (answer.ok) {
          var here = window.location.href.split("#")[0];
          window.location.assign(here + "#" + button.closest("[data-clip]").dataset.clip);
          window.location.reload();
        } else {
          button.disabled = false;
        }
      })
      .catch(function () { say(button, "Not saved: the console could not be reached."); button.disabled = false; });
  }

  function stop() {
    if (!active) { return; }
    clearTimeout(active.timer);
    active.button.disabled = true;
    active.recorder.stop();
  }

  function start(button) {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var options = {};
      ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].some(function (type) {
        if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(type)) { options.mimeType = type; return true; }
        return false;
      });
      var recorder = new MediaRecorder(stream, options);
      var chunks = [];
      recorder.ondataavailable = function (event) { if (event.data && event.data.size) { chunks.push(event.data); } };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        button.closest("[data-clip]").classList.remove("recording");
        var type = recorder.mimeType || options.mimeType || "audio/webm";
        active = null;
        send(button, new Blob(chunks, { type: type }), type);
      };
      active = { button: button, recorder: recorder, stream: stream,
                 timer: setTimeout(stop, (parseInt(button.dataset.limit, 10) || 60) * 1000) };
      recorder.start();
      button.closest("[data-clip]").classList.add("recording");
      button.textContent = "Stop";
      button.classList.add("recording");
      say(button, "Recording… say the words, then press Stop.");
    }).catch(function () {
      say(button, "The microphone could not be used: allow it for this site, or upload a file.");
    });
  }

  document.querySelectorAll("button[data-record]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (active && active.button === button) { stop(); return; }
      if (active) { return; } // one take at a time
      start(button);
    });
  });
})();
