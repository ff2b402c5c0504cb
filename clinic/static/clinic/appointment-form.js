// The booking form (templates/treatments/appointment_form.html): durations by type, the
// patient picker, and course links that carry the chosen slot.
(function () {
  const form = document.getElementById("booking-form");
  const durations = JSON.parse(document.getElementById("type-durations").textContent);
  const type = form.querySelector("[name=appointment_type]");
  const duration = form.querySelector("[name=duration]");
  if (type && duration) {
    type.addEventListener("change", () => { if (durations[type.value]) duration.value = durations[type.value]; });
  }
  // Choosing a patient from the search results fills the hidden field.
  document.getElementById("patient-results").addEventListener("click", (event) => {
    const button = event.target.closest("[data-patient-id]");
    if (!button) return;
    form.querySelector("[name=patient]").value = button.dataset.patientId;
    document.getElementById("chosen-patient-name").textContent = button.dataset.patientName;
    document.getElementById("chosen-patient-born").textContent = "born " + button.dataset.patientBorn;
    document.getElementById("chosen-patient").classList.remove("d-none");
    document.getElementById("patient-search-box").classList.add("d-none");
    // The button just pressed is hidden with the search: keep the keyboard's place in the form.
    form.querySelector("[name=practitioner]").focus();
    form.dispatchEvent(new Event("change"));
    document.body.dispatchEvent(new Event("patient-chosen"));
    // The address remembers the patient, so that Back after booking returns to them.
    const address = new URL(window.location.href);
    address.searchParams.set("patient", button.dataset.patientId);
    history.replaceState(history.state, "", address);
  });
  // Course links carry the slot chosen in the form (date, time, room) to the course booking.
  document.getElementById("patient-courses").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-carry-slot]");
    if (!link) return;
    const url = new URL(link.href);
    const value = (name) => form.querySelector(`[name=${name}]`).value;
    if (value("date")) url.searchParams.set("first_date", value("date"));
    if (value("time")) url.searchParams.set("first_time", value("time").slice(0, 5));
    if (value("room")) url.searchParams.set("room", value("room"));
    if (value("practitioner")) url.searchParams.set("practitioner", value("practitioner"));
    link.href = url.toString();
  });
  document.getElementById("change-patient").addEventListener("click", () => {
    document.getElementById("chosen-patient").classList.add("d-none");
    document.getElementById("patient-search-box").classList.remove("d-none");
    document.getElementById("patient-search").focus();
  });
})();
