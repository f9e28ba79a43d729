// CSV export of what a section shows, exactly as the API writes it. The API needs the token in the
// Authorization header and the token must never appear in a URL, so a plain link to the report
// cannot work: the button fetches the CSV, then hands the browser a Blob URL to save.
import { api, el } from '/shared/api.js';

// A button that downloads `path()` (an API path with format=csv) as `filename()`. Both are
// functions so the button follows the window and filters shown at the time of the click.
export function csvButton({ label, title, path, filename, onError }) {
  const button = el('button', { type: 'button', class: 'csv', title }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const text = await api(path());
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const link = el('a', { href: url, download: filename() });
      document.body.append(link);
      link.click();
      link.remove();
      // The download has its own copy once click() returns; keep the URL alive a moment for
      // browsers that start reading it later.
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      onError(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export function csvName(report, range) {
  return `${report}_${range.from}_${range.to}.csv`;
}
