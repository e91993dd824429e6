export const usageKey = (slug: string) => ["quota-usage", slug] as const;
