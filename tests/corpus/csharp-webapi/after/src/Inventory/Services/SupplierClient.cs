using System.Net;
using System.Net.Http;

namespace Inventory.Services;

public sealed class SupplierClient
{
    private readonly HttpClient _http;

    public SupplierClient(bool acceptSelfSigned)
    {
        var handler = new HttpClientHandler();
        if (acceptSelfSigned)
        {
            handler.ServerCertificateCustomValidationCallback =
                HttpClientHandler.DangerousAcceptAnyServerCertificateValidator; // EXPECT: any certificate accepted
        }
        _http = new HttpClient(handler) { BaseAddress = new Uri("https://supplier.internal/") };
    }

    public static void TrustLegacyEndpoints()
    {
        ServicePointManager.ServerCertificateValidationCallback = (sender, cert, chain, errors) => true; // EXPECT: validation disabled
    }

    public Task<string> StockAsync(string sku) => _http.GetStringAsync($"stock/{Uri.EscapeDataString(sku)}");
}
