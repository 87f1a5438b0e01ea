// Small additions to htmx.
// 1. Field errors come back as 400 and conflicts as 409 with a fragment to show: swap them (htmx 2 does not by default).
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "40[039]", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }
});
// 2. Keep the 待办 badge current after any action that changes something.
document.addEventListener("htmx:afterRequest", function (e) {
  var xhr = e.detail.xhr;
  if (xhr && xhr.status >= 200 && xhr.status < 300 && e.detail.requestConfig && e.detail.requestConfig.verb !== "get") {
    document.body.dispatchEvent(new Event("todo-changed"));
  }
});
