// Behaviours shared by every page, declared in the HTML with data- attributes. The
// Content-Security-Policy allows no inline event handlers (onclick=, onsubmit= …) and no
// inline scripts without the page's nonce, so pages ask for behaviour here instead.
(function () {
  "use strict";
  // <form data-confirm="Archive …?">: the form is sent only when the question is confirmed.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  // <select data-autosubmit>: choosing an option sends its form (a <noscript> button does
  // the same without JavaScript).
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });
  // <button data-print>: prints the page (its print styles leave out the buttons).
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
