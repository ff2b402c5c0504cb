// Booking a course's sessions (templates/treatments/course_book.html).
// A chosen alternative fills its session's inputs; typing a time of one's own un-chooses it.
// Without JavaScript the server reads the chosen alternative instead.
(function () {
  const report = document.getElementById("course-report");
  if (!report) return;
  report.addEventListener("change", function (event) {
    const input = event.target;
    // A changed time or room may clear the way: Book checks everything again anyway.
    document.getElementById("book-sessions").disabled = false;
    const match = input.name && input.name.match(/^session-(\d+)-(choice|start|room)$/);
    if (!match) return;
    const prefix = "session-" + match[1];
    if (match[2] === "choice") {
      if (!input.value) return;
      const [start, room] = input.value.split("@");
      report.elements[prefix + "-start"].value = start;
      report.elements[prefix + "-room"].value = room;
    } else {
      const keep = document.getElementById(prefix + "-keep");
      if (keep) keep.checked = true;
    }
    describe(prefix);
  });

  // The day in words under the input, e.g. "Wednesday 16 Dec, 11:30" (wall-clock time).
  function describe(prefix) {
    const when = document.getElementById(prefix + "-when");
    const value = report.elements[prefix + "-start"].value;
    const parts = value.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/);
    if (!when) return;
    if (!parts) { when.textContent = ""; return; }
    const day = new Date(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3]));
    const words = day.toLocaleDateString("en-GB", {weekday: "long", day: "numeric", month: "short"});
    when.textContent = words + ", " + parts[4];
  }
})();
