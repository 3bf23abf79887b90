export interface Repository {
  query(sql: string, params?: unknown[]): Promise<Array<{ id: number }>>;
}
