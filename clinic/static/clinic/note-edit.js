// Writing a session note (templates/treatments/note_edit.html).
// A button pressed while a background save is on its way waits for it: otherwise that save
// could reach the server after the button's own save and undo it (points just applied).
(function () {
  const form = document.querySelector("form.session-note");
  form.addEventListener("submit", function (event) {
    if (!form.classList.contains("htmx-request")) return;
    event.preventDefault();
    const button = event.submitter;
    form.addEventListener("htmx:afterRequest", () => form.requestSubmit(button), {once: true});
  });
})();
