// The print buttons of the printable pages (no inline script: see the CSP)
document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
});
