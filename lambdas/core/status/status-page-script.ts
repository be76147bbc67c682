/**
 * The page's one script, allowed by its CSP nonce and optional: without it the page still shows relative times (as
 * of the snapshot, UTC in tooltips), filters by submitting its form, and refreshes through <meta refresh>. With it,
 * times read in the viewer's own zone and stay current, and the filters apply as soon as they change.
 * Plain ES5 in a string: it is sent as-is, not compiled or bundled.
 */
export const STATUS_PAGE_SCRIPT = `(function () {
  'use strict';
  var MINUTE = 60000, HOUR = 3600000, DAY = 86400000;
  function relative(ms) {
    var distance = Math.abs(ms), span;
    if (distance < 45000) return 'just now';
    var minutes = Math.round(distance / MINUTE), hours = Math.round(distance / HOUR);
    if (minutes < 60) span = minutes + ' min';
    else if (hours < 36) span = hours + ' h';
    else { var days = Math.round(distance / DAY); span = days + (days === 1 ? ' day' : ' days'); }
    return ms < 0 ? 'in ' + span : span + ' ago';
  }
  function paint() {
    var now = Date.now(), i, el, at;
    var times = document.querySelectorAll('time[datetime]');
    for (i = 0; i < times.length; i++) {
      el = times[i];
      at = new Date(el.getAttribute('datetime'));
      if (isNaN(at.getTime())) continue;
      if (el.getAttribute('data-kind') === 'date') {
        el.textContent = at.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
      } else {
        el.textContent = relative(now - at.getTime());
      }
      el.setAttribute('title', at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' }));
      el.setAttribute('data-local', 'true');
    }
    var hours = document.querySelectorAll('[data-local-hour]');
    for (i = 0; i < hours.length; i++) {
      at = new Date(hours[i].getAttribute('data-local-hour'));
      if (!isNaN(at.getTime())) hours[i].textContent = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    }
  }
  paint();
  setInterval(paint, 15000);
  var filters = document.getElementById('filters');
  if (filters) filters.addEventListener('change', function () { filters.submit(); });
})();`;
