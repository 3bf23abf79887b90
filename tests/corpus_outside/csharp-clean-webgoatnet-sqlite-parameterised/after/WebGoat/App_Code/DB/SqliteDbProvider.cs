using System;
using System.Data;
using Mono.Data.Sqlite;

namespace OWASP.WebGoat.NET.App_Code.DB
{
    public class SqliteDbProvider
    {
        private string _connectionString = string.Empty;

        public bool IsAdminCustomerLogin(string email)
        {
            using (var connection = new SqliteConnection(_connectionString))
            {
                connection.Open();
                var command = new SqliteCommand(
                    "SELECT is_admin FROM CustomerLogin where email = @email",
                    connection);
                command.Parameters.AddWithValue("@email", email);
                var result = (long?)command.ExecuteScalar();
                return result.HasValue && result.Value == 1;
            }
        }

        public DataSet GetOffice(string city)
        {
            using (SqliteConnection connection = new SqliteConnection(_connectionString))
            {
                connection.Open();

                string sql = "select * from Offices where city = @city";
                SqliteDataAdapter da = new SqliteDataAdapter(sql, connection);
                da.SelectCommand.Parameters.AddWithValue("@city", city);
                DataSet ds = new DataSet();
                da.Fill(ds);
                return ds;
            }
        }
    }
}
