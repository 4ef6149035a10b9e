/**
 * Every page of a list that AWS returns in pages joined by `NextToken`, from the first page to
 * the one without a token. `items` picks (and maps) what each page holds.
 */
export async function allPages<Page extends { NextToken?: string }, Item>(
  fetch: (NextToken: string | undefined) => Promise<Page>,
  items: (page: Page) => Item[],
): Promise<Item[]> {
  const all: Item[] = [];
  let NextToken: string | undefined;
  do {
    const page = await fetch(NextToken);
    all.push(...items(page));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}
