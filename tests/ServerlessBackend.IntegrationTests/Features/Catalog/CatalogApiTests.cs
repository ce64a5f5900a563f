using ServerlessBackend.Tests.Support;
using static ServerlessBackend.Tests.Support.ProblemAssertions;

namespace ServerlessBackend.IntegrationTests.Features.Catalog;

/// <summary>Every catalog route and every status it can answer, through the middleware, against the Cosmos-protocol server.</summary>
public sealed class CatalogApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private const string Espresso = """{"id":"ESP-1","name":"Espresso beans","description":"Dark roast","price":12.5,"currency":"EUR","availableStock":10}""";

    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();
    private readonly TestTenant _other = new();

    [Fact]
    public async Task Admin_creates_a_product_201_with_location_etag_and_the_product()
    {
        var response = await Create(_tenant.Admin, Espresso);

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("/api/v1/products/ESP-1", response.Headers.Location.ToString());
        Assert.StartsWith("\"", response.Headers.ETag.ToString(), StringComparison.Ordinal);
        var body = response.Json;
        Assert.Equal("ESP-1", body.GetProperty("id").GetString());
        Assert.Equal(12.5m, body.GetProperty("price").GetDecimal());
        Assert.Equal("EUR", body.GetProperty("currency").GetString());
        Assert.Equal(10, body.GetProperty("availableStock").GetInt32());
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.False(body.TryGetProperty("tenantId", out _));
    }

    [Fact]
    public async Task Get_with_a_matching_If_None_Match_is_304_with_the_etag_and_no_body_but_never_across_tenants()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var etag = created.Headers.ETag.ToString();

        foreach (var ifNoneMatch in new[] { etag, $"W/{etag}", "*", $" W/\"a,b\" ,, {etag} " })
        {
            var response = await GetProduct(_tenant.Bob, "ESP-1", ifNoneMatch);
            Assert.True(response.StatusCode == 304, $"{ifNoneMatch}: {response.StatusCode} {response.Body}");
            Assert.Equal(etag, response.Headers.ETag.ToString());
            Assert.Empty(response.Body);
        }

        Assert.Equal(200, (await GetProduct(_tenant.Bob, "ESP-1", "\"stale\"")).StatusCode);
        foreach (var malformed in new[] { "stale", "\"a\" \"b\"", "*, \"a\"", "\"unterminated", "W/", "\"a\u00e9\"" })
        {
            AssertProblem(await GetProduct(_tenant.Bob, "ESP-1", malformed), 400);
        }

        // Another tenant does not learn that the product exists: 404 whatever it sends, never 304.
        AssertProblem(await GetProduct(_other.Admin, "ESP-1", etag), 404);
        AssertProblem(await GetProduct(_other.Admin, "ESP-1", "*"), 404);
        AssertProblem(await GetProduct(_tenant.Admin, "NOPE", "*"), 404);
        var stocked = await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":3}""", etag);
        Assert.Equal(200, (await GetProduct(_tenant.Bob, "ESP-1", etag)).StatusCode);
        Assert.Equal(304, (await GetProduct(_tenant.Bob, "ESP-1", stocked.Headers.ETag.ToString())).StatusCode);
    }

    [Fact]
    public async Task A_customer_cannot_create_a_product_403()
    {
        var response = await Create(_tenant.Alice, Espresso);

        AssertProblem(response, 403);
    }

    [Fact]
    public async Task The_same_id_twice_in_a_tenant_with_another_body_is_409_but_another_tenant_may_use_it()
    {
        await Create(_tenant.Admin, Espresso);

        AssertProblem(await Create(_tenant.Admin, Espresso.Replace("12.5", "13", StringComparison.Ordinal)), 409);
        Assert.Equal(201, (await Create(_other.Admin, Espresso)).StatusCode);
    }

    /// <summary>
    /// A retry is never told the opposite of what its first attempt did: a create
    /// retried with the same body is the 201 again, even once the product has changed since (an order took stock).
    /// </summary>
    [Fact]
    public async Task A_create_retried_with_the_same_body_is_201_again_with_the_product_as_it_stands()
    {
        var first = await Create(_tenant.Admin, Espresso);
        var stocked = await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":7}""", first.Headers.ETag.ToString());

        // Same meaning, other bytes: property order and whitespace do not matter.
        var retry = await Create(_tenant.Admin, """{ "currency":"EUR", "id":"ESP-1","name":"Espresso beans","description":"Dark roast","price":12.50,"availableStock":10}""");

        Assert.Equal(201, retry.StatusCode);
        Assert.Equal("true", retry.Headers["Idempotent-Replayed"].ToString());
        Assert.Equal("/api/v1/products/ESP-1", retry.Headers.Location.ToString());
        Assert.Equal(stocked.Headers.ETag.ToString(), retry.Headers.ETag.ToString());
        Assert.Equal(stocked.Body, retry.Body);
        Assert.False(first.Headers.ContainsKey("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_change_retried_with_the_if_match_of_its_first_attempt_is_200_once_that_change_is_made_and_412_otherwise()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var etag = created.Headers.ETag.ToString();
        const string details = """{"name":"Decaf","description":"Mild","price":9.5,"currency":"EUR"}""";

        var updated = await Update(_tenant.Admin, "ESP-1", details, etag);
        var updateRetry = await Update(_tenant.Admin, "ESP-1", details, etag);
        var stocked = await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":3}""", updated.Headers.ETag.ToString());
        var stockRetry = await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":3}""", updated.Headers.ETag.ToString());
        var deactivated = await Deactivate(_tenant.Admin, "ESP-1", stocked.Headers.ETag.ToString());
        var deactivateRetry = await Deactivate(_tenant.Admin, "ESP-1", stocked.Headers.ETag.ToString());

        Assert.All(new[] { updateRetry, stockRetry, deactivateRetry }, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(deactivated.Headers.ETag.ToString(), deactivateRetry.Headers.ETag.ToString());
        Assert.Equal(deactivated.Body, deactivateRetry.Body);
        Assert.Equal(deactivated.Headers.ETag.ToString(), (await GetProduct(_tenant.Admin, "ESP-1")).Headers.ETag.ToString());
        // A stale If-Match for a change not made is still a 412.
        AssertProblem(await Update(_tenant.Admin, "ESP-1", details.Replace("Decaf", "Other", StringComparison.Ordinal), etag), 412);
        AssertProblem(await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":4}""", etag), 412);
    }

    [Fact]
    public async Task Invalid_fields_are_400_with_one_error_per_field()
    {
        var response = await Create(_tenant.Admin, """{"id":"bad id/","name":" ","price":-1,"currency":"eur","availableStock":2000000}""");

        AssertProblem(response, 400);
        var errors = response.Json.GetProperty("errors");
        Assert.Equal(["availableStock", "currency", "id", "name", "price"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    /// <summary>Control (Cc) and format (Cf) characters, and the line and paragraph separators, as JSON escapes.</summary>
    public static TheoryData<string> UnprintableText() =>
    [
        "\\u0001", "\\u0000", "\\n", "\\t", "\\u001b[31m", "\\u007f", "\\u0085", "\\u202e", "\\u2066", "\\u200b", "\\u200d", "\\ufeff", "\\u00ad", "\\u2028", "\\u2029",
    ];

    [Theory]
    [MemberData(nameof(UnprintableText))]
    public async Task A_name_or_description_with_a_control_or_format_character_is_400_naming_the_field_on_create_and_update(string escaped)
    {
        var created = await Create(_tenant.Admin, Espresso);
        var etag = created.Headers.ETag.ToString();

        var responses = new[]
        {
            (await Create(_tenant.Admin, $$"""{"id":"N-1","name":"Beans{{escaped}}","price":1,"currency":"EUR","availableStock":1}"""), "name"),
            (await Create(_tenant.Admin, $$"""{"id":"N-1","name":"Beans","description":"Dark{{escaped}}roast","price":1,"currency":"EUR","availableStock":1}"""), "description"),
            (await Update(_tenant.Admin, "ESP-1", $$"""{"name":"{{escaped}}","price":1,"currency":"EUR"}""", etag), "name"),
            (await Update(_tenant.Admin, "ESP-1", $$"""{"name":"Beans","description":"{{escaped}}","price":1,"currency":"EUR"}""", etag), "description"),
        };

        Assert.All(responses, r => Assert.True(r.Item1.StatusCode == 400 && r.Item1.Json.GetProperty("errors").TryGetProperty(r.Item2, out _), $"{r.Item2}: {r.Item1.StatusCode} {r.Item1.Body}"));
        AssertProblem(await GetProduct(_tenant.Admin, "N-1"), 404);
        Assert.Equal(etag, (await GetProduct(_tenant.Admin, "ESP-1")).Headers.ETag.ToString());
    }

    [Fact]
    public async Task Names_and_descriptions_in_any_script_with_emoji_and_combining_marks_are_stored_as_sent()
    {
        const string name = "Café crème ☕ 日本茶 🇳🇱 e\u0301";

        var response = await Create(_tenant.Admin, $$"""{"id":"U-1","name":"{{name}}","description":"Ünïcödé — “quoted” 😀","price":1,"currency":"EUR","availableStock":1}""");

        Assert.Equal(201, response.StatusCode);
        Assert.Equal("Café crème ☕ 日本茶 🇳🇱 e\u0301", response.Json.GetProperty("name").GetString());
        Assert.Equal("Ünïcödé — “quoted” 😀", response.Json.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Price_with_more_than_two_decimals_is_400()
    {
        var response = await Create(_tenant.Admin, Espresso.Replace("12.5", "12.505", StringComparison.Ordinal));

        AssertProblem(response, 400);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("price", out _));
    }

    [Theory]
    [InlineData("100.5", "JPY")]
    [InlineData("7.5", "JPY")]
    [InlineData("12.505", "EUR")]
    public async Task A_price_with_more_decimals_than_its_currency_pays_is_400_on_create_and_update(string price, string currency)
    {
        var create = await Create(_tenant.Admin, $$"""{"id":"P-1","name":"Tea","price":{{price}},"currency":"{{currency}}","availableStock":1}""");
        AssertProblem(create, 400);
        Assert.Contains(currency, create.Json.GetProperty("errors").GetProperty("price")[0].GetString(), StringComparison.Ordinal);

        var whole = await Create(_tenant.Admin, $$"""{"id":"P-2","name":"Tea","price":100,"currency":"{{currency}}","availableStock":1}""");
        Assert.Equal(201, whole.StatusCode);
        var update = await _api.SendAsync("PUT", "/api/v1/products/P-2", (r, ct) => _api.Catalog.Product(r, "P-2", ct), _tenant.Admin,
            $$"""{"name":"Tea","price":{{price}},"currency":"{{currency}}"}""", new Dictionary<string, string> { ["If-Match"] = whole.Headers.ETag.ToString() });
        AssertProblem(update, 400);
    }

    [Theory]
    [InlineData("XYZ")]
    [InlineData("KRW")]
    [InlineData("BHD")]
    public async Task A_currency_no_payment_provider_of_the_app_takes_is_400_naming_the_field_on_create_and_update(string currency)
    {
        // Every order of such a product would be a 422: refused where it is entered, not at every order.
        var create = await Create(_tenant.Admin, $$"""{"id":"C-1","name":"Tea","price":10,"currency":"{{currency}}","availableStock":1}""");
        AssertProblem(create, 400);
        var error = create.Json.GetProperty("errors").GetProperty("currency")[0].GetString()!;
        Assert.Contains("EUR", error, StringComparison.Ordinal);
        Assert.DoesNotContain(currency, error, StringComparison.Ordinal);

        var supported = await Create(_tenant.Admin, """{"id":"C-2","name":"Tea","price":10,"currency":"SEK","availableStock":1}""");
        Assert.Equal(201, supported.StatusCode);
        var update = await Update(_tenant.Admin, "C-2", $$"""{"name":"Tea","price":10,"currency":"{{currency}}"}""", supported.Headers.ETag.ToString());
        AssertProblem(update, 400);
        Assert.Equal(["currency"], update.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal("SEK", (await GetProduct(_tenant.Admin, "C-2")).Json.GetProperty("currency").GetString());
    }

    [Theory]
    [InlineData("1000000", "EUR")]
    [InlineData("1000000", "GBP")]
    public async Task A_price_above_the_largest_payment_in_its_currency_is_400_as_no_order_of_it_could_be_paid(string price, string currency)
    {
        var create = await Create(_tenant.Admin, $$"""{"id":"M-1","name":"Car","price":{{price}},"currency":"{{currency}}","availableStock":1}""");

        AssertProblem(create, 400);
        Assert.Equal(["price"], create.Json.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(201, (await Create(_tenant.Admin, $$"""{"id":"M-2","name":"Car","price":999999.99,"currency":"{{currency}}","availableStock":1}""")).StatusCode);
        Assert.Equal(201, (await Create(_tenant.Admin, """{"id":"M-3","name":"Car","price":1000000,"currency":"JPY","availableStock":1}""")).StatusCode);
    }

    [Fact]
    public async Task A_body_starting_with_a_UTF8_byte_order_mark_is_read_as_without_it()
    {
        var created = await Create(_tenant.Admin, "\uFEFF" + Espresso);
        Assert.Equal(201, created.StatusCode);

        // The same request without the mark is a retry of it (same meaning), not another body.
        var retry = await Create(_tenant.Admin, Espresso);
        var updated = await Update(_tenant.Admin, "ESP-1", "\uFEFF" + """{"name":"Decaf","price":9.5,"currency":"EUR"}""", retry.Headers.ETag.ToString());

        Assert.Equal((201, "true"), (retry.StatusCode, retry.Headers["Idempotent-Replayed"].ToString()));
        Assert.Equal(200, updated.StatusCode);
        Assert.Equal("Decaf", updated.Json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task An_unknown_property_is_400_naming_it()
    {
        var response = await Create(_tenant.Admin, Espresso.Replace("}", ""","tenantId":"someone-else"}""", StringComparison.Ordinal));

        AssertProblem(response, 400);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("tenantId", out _), response.Body);
    }

    [Fact]
    public async Task A_number_sent_as_a_string_is_400_at_that_field()
    {
        var response = await Create(_tenant.Admin, Espresso.Replace("12.5", "\"12.5\"", StringComparison.Ordinal));

        AssertProblem(response, 400);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("price", out _));
    }

    [Fact]
    public async Task Malformed_json_and_an_empty_body_are_400()
    {
        AssertProblem(await Create(_tenant.Admin, "{\"id\":"), 400);
        AssertProblem(await Create(_tenant.Admin, ""), 400);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        var response = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin, Espresso, new Dictionary<string, string> { ["Content-Type"] = "text/plain" });

        AssertProblem(response, 415);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413()
    {
        var huge = Espresso.Replace("Dark roast", new string('x', 70_000), StringComparison.Ordinal);

        AssertProblem(await Create(_tenant.Admin, huge), 413);
    }

    [Fact]
    public async Task Get_returns_the_product_with_its_etag_to_any_caller_of_the_tenant()
    {
        var created = await Create(_tenant.Admin, Espresso);

        var response = await GetProduct(_tenant.Bob, "ESP-1");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(created.Headers.ETag.ToString(), response.Headers.ETag.ToString());
        Assert.Equal(created.Body, response.Body);
    }

    [Fact]
    public async Task Get_of_another_tenants_or_an_unknown_or_a_malformed_id_is_404()
    {
        await Create(_tenant.Admin, Espresso);

        AssertProblem(await GetProduct(_other.Admin, "ESP-1"), 404);
        AssertProblem(await GetProduct(_tenant.Alice, "NOPE"), 404);
        AssertProblem(await GetProduct(_tenant.Alice, "..%2F"), 404);
    }

    [Fact]
    public async Task List_pages_through_the_tenants_products_only()
    {
        foreach (var id in new[] { "A-1", "A-2", "A-3" })
        {
            await Create(_tenant.Admin, Espresso.Replace("ESP-1", id, StringComparison.Ordinal));
        }

        await Create(_other.Admin, Espresso);

        var first = await List(_tenant.Alice, "?pageSize=2");
        var token = first.Json.GetProperty("continuationToken").GetString();
        var second = await List(_tenant.Alice, $"?pageSize=2&continuationToken={token}");

        Assert.Equal(200, first.StatusCode);
        Assert.Equal(2, first.Json.GetProperty("items").GetArrayLength());
        Assert.Equal(200, second.StatusCode);
        Assert.False(second.Json.TryGetProperty("continuationToken", out _));
        var ids = first.Json.GetProperty("items").EnumerateArray().Concat(second.Json.GetProperty("items").EnumerateArray()).Select(p => p.GetProperty("id").GetString());
        Assert.Equal(["A-1", "A-2", "A-3"], ids.Order());
    }

    [Theory]
    [InlineData("?pageSize=0")]
    [InlineData("?pageSize=101")]
    [InlineData("?pageSize=ten")]
    [InlineData("?continuationToken=%%%")]
    [InlineData("?continuationToken=bm90LWEtdG9rZW4")]
    [InlineData("?pageSize=-1")]
    [InlineData("?pageSize=")]
    [InlineData("?pageSize=5&pageSize=6")]
    [InlineData("?pageSize=%EF%BC%95")]
    [InlineData("?continuationToken=bm90&continuationToken=YQ")]
    [InlineData("?active=TRUE")]
    [InlineData("?active=")]
    [InlineData("?active=1")]
    [InlineData("?active=true&active=true")]
    public async Task List_with_a_bad_page_size_or_token_is_400(string query)
    {
        await Create(_tenant.Admin, Espresso);

        AssertProblem(await List(_tenant.Alice, query), 400);
    }

    [Fact]
    public async Task An_inactive_product_is_404_for_a_customer_and_200_for_an_admin()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var deactivated = await Deactivate(_tenant.Admin, "ESP-1", created.Headers.ETag.ToString());

        AssertProblem(await GetProduct(_tenant.Alice, "ESP-1"), 404);
        var admin = await GetProduct(_tenant.Admin, "ESP-1");
        Assert.Equal(200, admin.StatusCode);
        Assert.False(admin.Json.GetProperty("active").GetBoolean());
        Assert.Equal(deactivated.Headers.ETag.ToString(), admin.Headers.ETag.ToString());
    }

    [Fact]
    public async Task Customers_list_only_active_products_across_pages()
    {
        await CatalogWithInactive("A-2", "A-4");

        var seen = new List<string>();
        var first = await List(_tenant.Alice, "?pageSize=2");
        seen.AddRange(Ids(first));
        var token = first.Json.GetProperty("continuationToken").GetString();
        var second = await List(_tenant.Alice, $"?pageSize=2&continuationToken={token}");
        seen.AddRange(Ids(second));

        Assert.Equal(200, second.StatusCode);
        Assert.False(second.Json.TryGetProperty("continuationToken", out _));
        Assert.Equal(["A-1", "A-3", "A-5"], seen.Order());
        Assert.Equal(["A-1", "A-3", "A-5"], Ids(await List(_tenant.Bob, "?active=true")).Order());
    }

    [Fact]
    public async Task Admins_list_every_product_or_filter_by_active()
    {
        await CatalogWithInactive("A-2", "A-4");

        Assert.Equal(["A-1", "A-2", "A-3", "A-4", "A-5"], Ids(await List(_tenant.Admin, "")).Order());
        Assert.Equal(["A-1", "A-3", "A-5"], Ids(await List(_tenant.Admin, "?active=true")).Order());
        Assert.Equal(["A-2", "A-4"], Ids(await List(_tenant.Admin, "?active=false")).Order());
        Assert.Empty(Ids(await List(_other.Admin, "?active=false")));
    }

    [Fact]
    public async Task A_customer_asking_for_inactive_products_is_403()
    {
        await CatalogWithInactive("A-2");

        var response = await List(_tenant.Alice, "?active=false");

        AssertProblem(response, 403);
        Assert.DoesNotContain("A-2", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?active=yes")]
    [InlineData("?active=True")]
    [InlineData("?active=")]
    public async Task An_active_filter_that_is_not_true_or_false_is_400_for_any_caller(string query)
    {
        foreach (var caller in new[] { _tenant.Admin, _tenant.Alice })
        {
            var response = await List(caller, query);

            AssertProblem(response, 400);
            Assert.True(response.Json.GetProperty("errors").TryGetProperty("active", out _), response.Body);
        }
    }

    [Fact]
    public async Task Update_with_the_current_etag_changes_the_details_and_returns_a_new_etag()
    {
        var created = await Create(_tenant.Admin, Espresso);

        var response = await Update(_tenant.Admin, "ESP-1", """{"name":"Decaf beans","price":9.99,"currency":"EUR"}""", created.Headers.ETag.ToString());

        Assert.Equal(200, response.StatusCode);
        Assert.NotEqual(created.Headers.ETag.ToString(), response.Headers.ETag.ToString());
        Assert.Equal("Decaf beans", response.Json.GetProperty("name").GetString());
        Assert.False(response.Json.TryGetProperty("description", out _));
        Assert.Equal(10, response.Json.GetProperty("availableStock").GetInt32());
        Assert.Equal(response.Body, (await GetProduct(_tenant.Alice, "ESP-1")).Body);
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_412_and_changes_nothing()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var etag = created.Headers.ETag.ToString();
        await Update(_tenant.Admin, "ESP-1", """{"name":"First","price":1,"currency":"EUR"}""", etag);

        var response = await Update(_tenant.Admin, "ESP-1", """{"name":"Second","price":2,"currency":"EUR"}""", etag);

        AssertProblem(response, 412);
        Assert.Equal("First", (await GetProduct(_tenant.Alice, "ESP-1")).Json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Update_without_if_match_is_428_and_with_a_malformed_one_400()
    {
        await Create(_tenant.Admin, Espresso);
        const string body = """{"name":"x","price":1,"currency":"EUR"}""";

        AssertProblem(await Update(_tenant.Admin, "ESP-1", body, ifMatch: null), 428);
        AssertProblem(await Update(_tenant.Admin, "ESP-1", body, ifMatch: "W/\"weak\""), 400);
    }

    [Fact]
    public async Task Update_by_a_customer_is_403_of_an_unknown_or_foreign_product_404_and_invalid_400()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var etag = created.Headers.ETag.ToString();
        const string body = """{"name":"x","price":1,"currency":"EUR"}""";

        AssertProblem(await Update(_tenant.Alice, "ESP-1", body, etag), 403);
        AssertProblem(await Update(_tenant.Admin, "NOPE", body, etag), 404);
        AssertProblem(await Update(_other.Admin, "ESP-1", body, etag), 404);
        AssertProblem(await Update(_tenant.Admin, "ESP-1", """{"name":"x","price":1}""", etag), 400);
    }

    [Fact]
    public async Task Update_and_set_stock_refuse_non_json_415_and_oversized_413_bodies()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var headers = new Dictionary<string, string> { ["If-Match"] = created.Headers.ETag.ToString(), ["Content-Type"] = "text/plain" };

        AssertProblem(await _api.SendAsync("PUT", "/api/v1/products/ESP-1", (r, ct) => _api.Catalog.Product(r, "ESP-1", ct), _tenant.Admin, "{}", headers), 415);
        AssertProblem(await _api.SendAsync("PUT", "/api/v1/products/ESP-1/stock", (r, ct) => _api.Catalog.ProductStock(r, "ESP-1", ct), _tenant.Admin, "{}", headers), 415);
        AssertProblem(await Update(_tenant.Admin, "ESP-1", $$"""{"name":"{{new string('n', 70_000)}}"}""", created.Headers.ETag.ToString()), 413);
    }

    [Fact]
    public async Task Deactivate_with_a_malformed_if_match_is_400()
    {
        await Create(_tenant.Admin, Espresso);

        AssertProblem(await Deactivate(_tenant.Admin, "ESP-1", "not-quoted"), 400);
    }

    [Fact]
    public async Task Set_stock_changes_only_the_stock_and_needs_the_current_etag()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var etag = created.Headers.ETag.ToString();

        var response = await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":42}""", etag);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(42, response.Json.GetProperty("availableStock").GetInt32());
        Assert.Equal("Espresso beans", response.Json.GetProperty("name").GetString());
        AssertProblem(await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":1}""", etag), 412);
        AssertProblem(await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":-1}""", response.Headers.ETag.ToString()), 400);
        AssertProblem(await SetStock(_tenant.Admin, "ESP-1", """{"availableStock":1}""", null), 428);
        AssertProblem(await SetStock(_tenant.Bob, "ESP-1", """{"availableStock":1}""", response.Headers.ETag.ToString()), 403);
        AssertProblem(await SetStock(_other.Admin, "ESP-1", """{"availableStock":1}""", response.Headers.ETag.ToString()), 404);
    }

    [Fact]
    public async Task Deactivate_clears_the_active_flag_with_the_current_etag()
    {
        var created = await Create(_tenant.Admin, Espresso);
        var etag = created.Headers.ETag.ToString();

        AssertProblem(await Deactivate(_tenant.Admin, "ESP-1", null), 428);
        AssertProblem(await Deactivate(_tenant.Alice, "ESP-1", etag), 403);
        AssertProblem(await Deactivate(_other.Admin, "ESP-1", etag), 404);
        var response = await Deactivate(_tenant.Admin, "ESP-1", etag);

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.Json.GetProperty("active").GetBoolean());
    }

    private async Task CatalogWithInactive(params string[] inactive)
    {
        foreach (var id in new[] { "A-1", "A-2", "A-3", "A-4", "A-5" })
        {
            var created = await Create(_tenant.Admin, Espresso.Replace("ESP-1", id, StringComparison.Ordinal));
            if (inactive.Contains(id))
            {
                Assert.Equal(200, (await Deactivate(_tenant.Admin, id, created.Headers.ETag.ToString())).StatusCode);
            }
        }
    }

    private static List<string> Ids(TestResponse page) =>
        [.. page.Json.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()!)];

    private Task<TestResponse> Create(string token, string body) =>
        _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, token, body);

    private Task<TestResponse> GetProduct(string token, string id, string? ifNoneMatch = null) =>
        _api.SendAsync(
            "GET", $"/api/v1/products/{id}", (r, ct) => _api.Catalog.Product(r, Uri.UnescapeDataString(id), ct), token,
            headers: ifNoneMatch is null ? null : new Dictionary<string, string> { ["If-None-Match"] = ifNoneMatch });

    private Task<TestResponse> List(string token, string query) =>
        _api.SendAsync("GET", $"/api/v1/products{query}", _api.Catalog.Products, token);

    private Task<TestResponse> Update(string token, string id, string body, string? ifMatch) =>
        _api.SendAsync("PUT", $"/api/v1/products/{id}", (r, ct) => _api.Catalog.Product(r, id, ct), token, body, IfMatch(ifMatch));

    private Task<TestResponse> SetStock(string token, string id, string body, string? ifMatch) =>
        _api.SendAsync("PUT", $"/api/v1/products/{id}/stock", (r, ct) => _api.Catalog.ProductStock(r, id, ct), token, body, IfMatch(ifMatch));

    private Task<TestResponse> Deactivate(string token, string id, string? ifMatch) =>
        _api.SendAsync("POST", $"/api/v1/products/{id}/deactivate", (r, ct) => _api.Catalog.ProductDeactivation(r, id, ct), token, headers: IfMatch(ifMatch));

    private static Dictionary<string, string> IfMatch(string? etag) => etag is null ? [] : new() { ["If-Match"] = etag };
}
