// 预约办理: "使用我的位置" appears only where the browser can tell the position (a secure page with
// geolocation); the position goes to the server, which picks the nearest community. No map service.
(function () {
  "use strict";
  var button = document.querySelector("[data-geolocate]");
  if (!button || !navigator.geolocation || !window.isSecureContext) return;
  var form = button.form;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    button.textContent = button.dataset.busyLabel;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lng.value = position.coords.longitude.toFixed(5);
        form.elements.place.value = "";
        form.submit();
      },
      function () {
        button.disabled = false;
        button.textContent = button.dataset.failedLabel;
      },
      { timeout: 10000, maximumAge: 600000 }
    );
  });
})();
