// Small additions to htmx: keep the 待办 badge current after any action that says so.
document.addEventListener("htmx:afterRequest", function (e) {
  var xhr = e.detail.xhr;
  if (xhr && xhr.status >= 200 && xhr.status < 300 && e.detail.requestConfig && e.detail.requestConfig.verb !== "get") {
    document.body.dispatchEvent(new Event("todo-changed"));
  }
});
