using System;
using System.Data;
using Mono.Data.Sqlite;

namespace OWASP.WebGoat.NET.App_Code.DB
{
    public class SqliteDbProvider
    {
        private string _connectionString = string.Empty;

        public DataSet GetComments(string productCode)
        {
            using (SqliteConnection connection = new SqliteConnection(_connectionString))
            {
                connection.Open();

                string sql = "select * from Comments where productCode = @productCode";
                SqliteDataAdapter da = new SqliteDataAdapter(sql, connection);
                da.SelectCommand.Parameters.AddWithValue("@productCode", productCode);
                DataSet ds = new DataSet();
                da.Fill(ds);
                return ds;
            }
        }
    }
}
