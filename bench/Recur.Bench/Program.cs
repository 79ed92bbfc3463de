using System.Reflection;
using Recur.Bench;

// dotnet run -c Release --project bench/Recur.Bench -- <suite> [--quick] [--json FILE] [suite options]
var suites = typeof(IBenchSuite).Assembly.GetTypes()
    .Where(t => typeof(IBenchSuite).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchSuite)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Name)
    .ToList();

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/Recur.Bench -- <suite> [--quick] [--json FILE]");
    Console.WriteLine("suites:");
    foreach (var s in suites) Console.WriteLine($"  {s.Name,-10} {s.Description}");
    return args.Length == 0 ? 2 : 0;
}

var suite = suites.FirstOrDefault(s => s.Name == args[0]);
if (suite is null)
{
    Console.Error.WriteLine($"unknown suite '{args[0]}'; known: {string.Join(", ", suites.Select(s => s.Name))}");
    return 2;
}

bool quick = false;
string? json = null;
var extra = new List<string>();
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": quick = true; break;
        case "--json" when i + 1 < args.Length: json = args[++i]; break;
        default: extra.Add(args[i]); break;
    }
}

using var report = new BenchReport(json);
try
{
    suite.Run(new BenchOptions(quick, json, extra), report);
}
catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
{
    // A peer that cannot start (python3 or its packages missing, see its own line above) ends the suite with one line.
    Console.Error.WriteLine($"bench {suite.Name}: {e.Message}" + (e is System.ComponentModel.Win32Exception ? " (is /usr/bin/python3 installed? apt-get install python3)" : ""));
    return 1;
}
return 0;
