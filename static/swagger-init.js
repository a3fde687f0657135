// Starts Swagger UI on /docs from the app's own copy of its assets (no CDN, no inline script).
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: target.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
