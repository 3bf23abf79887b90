using System.Data;
using System.Data.SqlClient;
using System.Web.UI.WebControls;

class ProductCatalog
{
    TextBox categoryTextBox;
    string connectionString;

    public DataSet GetDataSetByCategory()
    {
        using (var connection = new SqlConnection(connectionString))
        {
            var query1 = "SELECT ITEM,PRICE FROM PRODUCT WHERE ITEM_CATEGORY='"
              + categoryTextBox.Text + "' ORDER BY PRICE";
            var adapter = new SqlDataAdapter(query1, connection); // EXPECT SQL concatenated from a text box
            var result = new DataSet();
            adapter.Fill(result);
            return result;
        }
    }
}
