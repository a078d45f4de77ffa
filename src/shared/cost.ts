const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 3,
});

/** A dollar amount as "$0.133": two decimals at least, three when the price has them. */
export function formatUsd(amount: number): string {
  return usd.format(amount);
}

/** The run's estimated cost before it starts. */
export function estimateCost(pricePerImage: number, numImages: number): number {
  // Rounded to a tenth of a cent so 3 × 0.133 shows $0.399, not a float artifact.
  return Math.round(pricePerImage * numImages * 1000) / 1000;
}

/** Runflow's reported cost ("0.266") as dollars; a value that is not a number is shown as given. */
export function formatReportedCost(cost: string): string {
  const amount = Number(cost);
  return cost.trim() !== '' && Number.isFinite(amount) ? formatUsd(amount) : cost;
}
