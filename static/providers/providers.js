// The URL guard's verdict under the base URL field, asked of the server as the user types
// (the same guard that refuses the URL on save; the form works without this script).
const form = document.querySelector("[data-testid=provider-form]");
const url = form?.querySelector("[name=base_url]");
const privateNetwork = form?.querySelector("[name=allow_private_network]");

function ask() {
  window.htmx.ajax("POST", "/providers/check-url/", {
    target: "#url-verdict",
    swap: "outerHTML",
    values: {
      csrfmiddlewaretoken: form.querySelector("[name=csrfmiddlewaretoken]").value,
      base_url: url.value,
      allow_private_network: privateNetwork?.checked ? "on" : "",
    },
  });
}

let timer = null;
function askSoon() {
  clearTimeout(timer);
  timer = setTimeout(ask, 250);
}

if (url && window.htmx) {
  url.addEventListener("input", askSoon);
  privateNetwork?.addEventListener("change", ask);
}
