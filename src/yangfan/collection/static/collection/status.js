// 报送情况 and 催报清单: choosing another data set shows its latest period (its periods are of another kind,
// so the period chosen for the previous data set is left out of the query).
for (const select of document.querySelectorAll("[data-resets-period]")) {
  select.addEventListener("change", () => {
    const period = select.form.elements.namedItem("period");
    if (period) period.disabled = true;
    select.form.submit();
  });
}
