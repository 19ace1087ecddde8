// The partner API documentation: Swagger UI (served locally from drf-spectacular-sidecar) on
// the schema named by data-schema-url. Progressive enhancement: without it the page still
// explains the API and links the schema. No inline script (CSP).
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: target.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 0,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
  document.documentElement.classList.add("swagger-ready");
})();
