// Move an appointment by dragging its chip onto a free slot of the day or week calendar.
// The drop fills the calendar's hidden move form and submits it to the same view as the Move
// page: the same checks, the same messages; a refused move shows the Move page with the
// dragged-to time kept. Without JavaScript (or a mouse), the Move page does the same.
(function () {
  "use strict";
  const form = document.getElementById("calendar-move");
  if (!form) return;
  let dragged = null;

  document.addEventListener("dragstart", (event) => {
    const chip = event.target.closest && event.target.closest(".calendar-chip[data-move-url]");
    if (!chip) return;
    dragged = chip;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.dataset.moveUrl);
    document.body.classList.add("calendar-dragging");
  });
  document.addEventListener("dragend", () => {
    dragged = null;
    document.body.classList.remove("calendar-dragging");
    document.querySelectorAll(".calendar-slot--target").forEach((slot) => slot.classList.remove("calendar-slot--target"));
  });

  function slotOf(event) {
    return event.target.closest && event.target.closest(".calendar-slot--free[href]");
  }
  document.addEventListener("dragover", (event) => {
    const slot = slotOf(event);
    if (!dragged || !slot) return;
    event.preventDefault(); // allow the drop
    event.dataTransfer.dropEffect = "move";
  });
  document.addEventListener("dragenter", (event) => {
    const slot = slotOf(event);
    if (dragged && slot) slot.classList.add("calendar-slot--target");
  });
  document.addEventListener("dragleave", (event) => {
    const slot = slotOf(event);
    if (slot) slot.classList.remove("calendar-slot--target");
  });
  document.addEventListener("drop", (event) => {
    const slot = slotOf(event);
    if (!dragged || !slot) return;
    event.preventDefault();
    // The slot's booking link says whose column it is and when: ?practitioner=|room=&start=
    const query = new URL(slot.href).searchParams;
    const [day, time] = (query.get("start") || "").split("T");
    if (!day || !time) return;
    form.action = dragged.dataset.moveUrl;
    form.elements.date.value = day;
    form.elements.time.value = time;
    form.elements.duration.value = dragged.dataset.duration;
    form.elements.practitioner.value = query.get("practitioner") || dragged.dataset.practitioner;
    form.elements.room.value = query.get("room") || dragged.dataset.room;
    form.submit();
  });
})();
